"""Issue #10, faults: Slack that never answers. A send that times out is a transient
error — the row stays pending with a back-off, nothing is lost — and the next cycle,
with Slack answering again, sends it once. (5xx, 429 and an unreachable Slack are in
``test_outbox.py`` and ``test_outbox_rate_limits.py``.)"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from aiohttp import web
from slack_sdk.web.async_client import AsyncWebClient

from bot.bootstrap import Container
from bot.localslack import LocalSlack
from schedulers.outbox import OutboxSender
from tests.conftest import FixedClock
from tests.integration.test_outbox import POST, enqueue, rows


@pytest.fixture
async def silent_slack() -> AsyncIterator[str]:
    """A Web API that accepts the connection and never answers."""
    released = asyncio.Event()

    async def hang(_: web.Request) -> web.Response:
        await released.wait()
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/api/{method}", hang)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    yield f"http://{host}:{port}/api/"
    released.set()
    await runner.cleanup()


async def test_a_send_that_times_out_is_retried_and_sent_once(
    sqlite_container: Container, silent_slack: str, clock: FixedClock
) -> None:
    container = sqlite_container
    await enqueue(container, "k1")
    base = {"url": silent_slack}

    def client() -> AsyncWebClient:
        return AsyncWebClient(token="xoxb-test", base_url=base["url"], timeout=1, retry_handlers=[])

    sender = OutboxSender(container.uow, client, container.clock, container.metrics)
    assert (await sender.drain()).retried == 1
    (row,) = await rows(container)
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.last_error and "Timeout" in row.last_error
    assert row.next_attempt_at == clock.now + timedelta(seconds=5)
    async with LocalSlack() as slack:
        base["url"] = slack.api_url
        clock.now += timedelta(seconds=5)
        assert (await sender.drain()).sent == 1
        assert (await sender.drain()).claimed == 0
        assert len(slack.calls_to(POST)) == 1
    (row,) = await rows(container)
    assert (row.status, row.attempts) == ("sent", 2)
