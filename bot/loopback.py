"""An aiohttp server on 127.0.0.1 that records what arrives: the base of the local stand-ins
of Slack's Web API (``bot/localslack.py``) and of the Bot Connector (``bot/localteams.py``).

A subclass adds its routes in ``routes`` and calls ``arrived()`` after recording a request;
``wait_until`` lets a test wait for what the product sends after its answer.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Self

from aiohttp import web

logger = logging.getLogger(__name__)


class LoopbackServer:
    label = "local server"

    def __init__(self, *, port: int = 0) -> None:
        self._port = port
        self._runner: web.AppRunner | None = None
        self._arrived: asyncio.Condition | None = None
        self._base = ""

    def routes(self, app: web.Application) -> None:
        raise NotImplementedError

    async def start(self) -> None:
        app = web.Application()
        self.routes(app)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self._port).start()
        host, port = self._runner.addresses[0][:2]
        self._base = f"http://{host}:{port}/"
        self._arrived = asyncio.Condition()
        logger.info("%s listening on %s", self.label, self._base)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        if not self._base:
            raise RuntimeError(f"{type(self).__name__} is not started")
        return self._base

    async def wait_until(self, done: Callable[[], bool], *, timeout: float) -> None:  # noqa: ASYNC109
        """Return once ``done()`` holds after a request arrived; TimeoutError otherwise."""
        if self._arrived is None:
            raise RuntimeError(f"{type(self).__name__} is not started")
        async with asyncio.timeout(timeout), self._arrived:
            await self._arrived.wait_for(done)

    async def arrived(self) -> None:
        """Wake the waiters: something was recorded."""
        if self._arrived is not None:
            async with self._arrived:
                self._arrived.notify_all()
