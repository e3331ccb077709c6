"""``/api/messages`` authentication: anonymous only without TEAMS_APP_ID, and loudly so."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from bot.bootstrap import Container, build
from bot.localteams import LocalTeams
from bot.web import build_web_app
from storage.models import UserRow
from tests.conftest import FixedClock, make_settings
from tests.slack.chat_fixtures import rows
from tests.teams.conftest import TeamsUser

CREDENTIALS = {
    "TEAMS_APP_ID": "00000000-0000-0000-0000-000000000001",
    "TEAMS_APP_PASSWORD": "not-a-real-secret",
    "TEAMS_TENANT_ID": "00000000-0000-0000-0000-0000000000aa",
}


@pytest.fixture
async def secured(sqlite_url: str, clock: FixedClock) -> AsyncIterator[Container]:
    container = build(make_settings(sqlite_url, **CREDENTIALS), clock=clock)
    yield container
    await container.close()


async def test_no_app_id_is_said_loudly(
    sqlite_container: Container, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.teams.app"):
        build_web_app(sqlite_container, None)
    (warned,) = [r for r in caplog.records if r.name == "bot.teams.app"]
    assert warned.levelno == logging.WARNING
    assert "UNAUTHENTICATED" in warned.getMessage() and "TEAMS_APP_ID" in warned.getMessage()


async def test_with_an_app_id_unauthenticated_requests_are_refused(
    secured: Container, connector: LocalTeams, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.teams.app"):
        runner = web.AppRunner(build_web_app(secured, None))
    assert not [r for r in caplog.records if r.name == "bot.teams.app"]
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    try:
        async with aiohttp.ClientSession() as http:
            user = TeamsUser(http, f"http://{host}:{port}", connector)
            activity = user.activity("U0REP1", text="tasks")
            for headers in ({}, {"Authorization": "Bearer not-a-jwt"}, {"Authorization": "x"}):
                status, _ = await user.post(activity, headers=headers)
                assert status == 401, headers
    finally:
        await runner.cleanup()
    assert connector.activities == []  # nothing answered
    assert await rows(secured, UserRow) == []  # nobody added
