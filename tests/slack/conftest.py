"""The real aiohttp app on loopback, its Web API pointed at the local Slack stand-in."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.bootstrap import Container, build
from bot.localslack import LocalSlack, interaction_body, sign_request, slash_command_body
from bot.slack.app import build_slack_app
from bot.web import build_web_app
from tests.conftest import FixedClock, make_settings

SECRET = "test-signing-secret"


class SlackUser:
    """Sends what Slack would send on a user's behalf, signed as Slack signs it."""

    def __init__(self, http: aiohttp.ClientSession, base: str, slack: LocalSlack) -> None:
        self.http, self.base, self.slack = http, base, slack
        self._n = 0

    async def post(
        self, body: str, *, headers: dict[str, str] | None = None, sign: bool = True
    ) -> tuple[int, Any]:
        sent = {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})}
        if sign:
            sent.update(sign_request(SECRET, body))
        async with self.http.post(f"{self.base}/slack/events", data=body, headers=sent) as r:
            text = await r.text()
            return r.status, (json.loads(text) if text.startswith("{") else text)

    def command_body(
        self, text: str, *, user: str = "U0REP1", channel: str = "C0GENERAL", **extra: Any
    ) -> str:
        self._n += 1
        return slash_command_body(
            text=text,
            user_id=user,
            channel_id=channel,
            response_url=self.slack.response_url(f"cmd{self._n}"),
            trigger_id=extra.pop("trigger_id", f"{time.time()}.{self._n}.trig"),
            **extra,
        )

    async def command(self, text: str, **kwargs: Any) -> tuple[int, Any]:
        return await self.post(self.command_body(text, **kwargs))

    async def interact(self, payload: dict[str, Any]) -> tuple[int, Any]:
        return await self.post(interaction_body(payload))


@pytest.fixture
async def slack() -> AsyncIterator[LocalSlack]:
    async with LocalSlack() as stand_in:
        yield stand_in


async def start_app(container: Container) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(build_web_app(container, build_slack_app(container)))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    return runner, f"http://{host}:{port}"


@pytest.fixture
async def app_container(
    database_url: str, clock: FixedClock, slack: LocalSlack, request: pytest.FixtureRequest
) -> AsyncIterator[Container]:
    overrides = getattr(request, "param", {}) or {}
    container = build(
        make_settings(database_url, SLACK_API_URL=slack.api_url, **overrides), clock=clock
    )
    try:
        yield container
    finally:
        await container.close()


@pytest.fixture
async def user(app_container: Container, slack: LocalSlack) -> AsyncIterator[SlackUser]:
    runner, base = await start_app(app_container)
    async with aiohttp.ClientSession() as http:
        yield SlackUser(http, base, slack)
    await runner.cleanup()
