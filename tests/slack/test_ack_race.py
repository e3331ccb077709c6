"""An error raised right after ``ack()`` must not take the ack back.

Bolt's runner polls for the ack every 10 ms; when a listener acks and then raises before
the next poll, Bolt's error path resets ``ack.response`` to None and the request gets a
404 three seconds later (Slack shows the user "dispatch failed"), although the error reply
went out. Many of crmbot's refusals (an unknown client, an unreadable date) come that fast.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.bootstrap import Container
from bot.localslack import LocalSlack
from bot.slack.app import build_slack_app
from bot.web import build_web_app
from domain.errors import UsageError
from tests.slack.conftest import SlackUser


async def _refuse_at_once(ack: Any) -> None:
    await ack()
    raise UsageError("Not like that; try `/crm help`.")


@pytest.fixture
async def boom_user(app_container: Container, slack: LocalSlack) -> AsyncIterator[SlackUser]:
    slack_app = build_slack_app(app_container)
    slack_app.command("/boom")(_refuse_at_once)
    runner = web.AppRunner(build_web_app(app_container, slack_app))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    async with aiohttp.ClientSession() as http:
        yield SlackUser(http, f"http://{host}:{port}", slack)
    await runner.cleanup()


async def test_an_error_right_after_the_ack_keeps_the_ack(
    boom_user: SlackUser, slack: LocalSlack
) -> None:
    answers = await asyncio.gather(
        *(boom_user.post(boom_user.command_body("", command="/boom")) for _ in range(10))
    )
    assert [status for status, _ in answers] == [200] * 10
    replies = await slack.wait_for("response_url", 10)
    assert all("Not like that" in str(r.args) for r in replies)
