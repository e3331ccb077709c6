"""``crmbot serve``: migrate, then HTTP (and Socket Mode) plus the ticker, until a signal."""

from __future__ import annotations

import asyncio
import logging
import signal
from contextlib import AsyncExitStack

from aiohttp import web
from slack_bolt.async_app import AsyncApp

from bot.bootstrap import Container
from bot.slack.app import build_slack_app
from bot.web import build_web_app

logger = logging.getLogger(__name__)


def slack_app_or_none(container: Container) -> AsyncApp | None:
    settings = container.settings
    if not settings.slack_signing_secret:
        logger.warning(
            "SLACK_SIGNING_SECRET is not set: /slack/events answers 503 until it is "
            "(the REST API, /healthz and /metrics still run)"
        )
        return None
    return build_slack_app(container)


async def run_server(
    container: Container,
    *,
    host: str,
    port: int,
    scheduler: bool,
    ready: asyncio.Event | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """Serve until ``stop`` is set (or SIGINT/SIGTERM when no event is given)."""
    container.approvals  # noqa: B018 -- reads the policy file now: a bad one stops start-up
    await container.migrate()
    slack_app = slack_app_or_none(container)
    stop = stop or _signal_event()
    async with AsyncExitStack() as stack:
        runner = web.AppRunner(build_web_app(container, slack_app), access_log=None)
        await runner.setup()
        stack.push_async_callback(runner.cleanup)
        await web.TCPSite(runner, host, port).start()
        logger.info("crmbot listening on http://%s:%s", host, port)
        if slack_app is not None and container.settings.slack_app_token:
            await _socket_mode(container, slack_app, stack)
        if scheduler:
            await _ticker(container, stack)
        if ready is not None:
            ready.set()
        await stop.wait()
        logger.info("crmbot stopping")


async def _socket_mode(container: Container, slack_app: AsyncApp, stack: AsyncExitStack) -> None:
    from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

    handler = AsyncSocketModeHandler(
        slack_app,
        container.settings.slack_app_token,
        web_client=container.slack_client(),
    )
    await handler.connect_async()  # type: ignore[no-untyped-call]
    stack.push_async_callback(handler.close_async)
    logger.info("Socket Mode connected")


async def _ticker(container: Container, stack: AsyncExitStack) -> None:
    from schedulers.ticker import Ticker

    ticker = Ticker(container)
    ticker.start()
    stack.push_async_callback(ticker.shutdown)


def _signal_event() -> asyncio.Event:
    event = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, event.set)
    return event
