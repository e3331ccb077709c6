"""Socket Mode for the local Slack stand-in: the WebSocket Slack pushes requests down.

Slack's protocol, as slack_sdk's clients speak it: the app calls ``apps.connections.open``
with its app-level (``xapp-``) token and gets a one-time ``wss://`` URL; on connect Slack
sends ``{"type": "hello", ...}``; every request then arrives as an envelope
(``envelope_id``, ``type`` such as ``slash_commands``, ``interactive`` or ``events_api``,
``payload``, ``accepts_response_payload``) and the app acks it by sending back
``{"envelope_id": ..., "payload": {...}}``. ``{"type": "disconnect"}`` asks the app to
fetch a new URL and reconnect. Pings are answered by aiohttp itself.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSCloseCode, WSMsgType, web

logger = logging.getLogger(__name__)

APP_TOKEN_METHODS = frozenset({"apps.connections.open"})  # the only methods an xapp token may call
_PATH = "/socket"


@dataclass(frozen=True)
class Ack:
    """What the app sent back for one envelope, and how long it took."""

    envelope_id: str
    payload: dict[str, Any] | None
    seconds: float


class LocalSocketMode:
    """The Socket Mode half of `LocalSlack`: hands out URLs, says hello, pushes envelopes.

    A test calls `push` (or `slash_command`) and gets the app's `Ack`;
    `disconnect` makes the app reconnect through `apps.connections.open`, as Slack does
    every few hours.
    """

    def __init__(self, *, app_id: str = "A0001") -> None:
        self.app_id = app_id
        self.opened = 0  # connections accepted so far
        self.received: list[dict[str, Any]] = []  # every message the app sent
        self._tickets: set[str] = set()
        self._sockets: list[web.WebSocketResponse] = []
        self._acks: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._changed: asyncio.Condition | None = None

    def install(self, app: web.Application) -> None:
        """Add the WebSocket route to the stand-in's aiohttp app (before it starts)."""
        app.router.add_get(_PATH, self._websocket)
        app.on_shutdown.append(self._close_all)
        self._changed = asyncio.Condition()

    def token_ok(self, token: str | None) -> bool:
        return str(token).startswith("xapp-")

    def open_connection(self, base_url: str) -> dict[str, Any]:
        """`apps.connections.open`: a URL good for one connection."""
        ticket = uuid.uuid4().hex
        self._tickets.add(ticket)
        ws_base = base_url.replace("http://", "ws://", 1).rstrip("/")
        return {"url": f"{ws_base}{_PATH}?ticket={ticket}&app_id={self.app_id}"}

    @property
    def connected(self) -> int:
        return sum(1 for ws in self._sockets if not ws.closed)

    async def wait_connected(
        self,
        *,
        opened: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> None:
        """Wait until `opened` connections were made in all and one is open."""
        changed = self._condition()
        try:
            async with asyncio.timeout(timeout), changed:
                await changed.wait_for(lambda: self.opened >= opened and self.connected > 0)
        except TimeoutError:
            raise TimeoutError(
                f"no Socket Mode connection #{opened} in {timeout}s (opened {self.opened})"
            ) from None

    async def push(
        self,
        envelope_type: str,
        payload: dict[str, Any],
        *,
        accepts_response_payload: bool = True,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> Ack:
        """Send one envelope to the connected app and return its ack."""
        await self.wait_connected(timeout=timeout)
        envelope_id = str(uuid.uuid4())
        envelope = {
            "envelope_id": envelope_id,
            "type": envelope_type,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
        }
        waiter: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._acks[envelope_id] = waiter
        started = time.monotonic()
        try:
            await self._open_socket().send_json(envelope)
            async with asyncio.timeout(timeout):
                ack = await waiter
        except TimeoutError:
            raise TimeoutError(f"no ack for {envelope_type} envelope in {timeout}s") from None
        finally:
            self._acks.pop(envelope_id, None)
        return Ack(envelope_id, ack.get("payload"), time.monotonic() - started)

    async def slash_command(self, *, body: str, timeout: float = 5.0) -> Ack:  # noqa: ASYNC109
        """Push a slash command given as its HTTP form body (`localslack.slash_command_body`)."""
        return await self.push("slash_commands", dict(parse_qsl(body)), timeout=timeout)

    async def disconnect(self, reason: str = "refresh_requested") -> None:
        """Ask the app to reconnect, as Slack does before it rotates a connection."""
        await self._open_socket().send_json({"type": "disconnect", "reason": reason})

    def _open_socket(self) -> web.WebSocketResponse:
        open_ones = [ws for ws in self._sockets if not ws.closed]
        if not open_ones:
            raise ConnectionError("no Socket Mode connection is open")
        return open_ones[-1]  # the newest: Slack sends on any, and the app reads them all

    def _condition(self) -> asyncio.Condition:
        if self._changed is None:
            raise RuntimeError("LocalSlack is not started")
        return self._changed

    async def _websocket(self, request: web.Request) -> web.StreamResponse:
        ticket = request.query.get("ticket", "")
        if ticket not in self._tickets:
            logger.warning("Socket Mode connection with an unknown or used ticket refused")
            return web.Response(status=401, text="invalid_ticket")
        self._tickets.discard(ticket)
        ws = web.WebSocketResponse()  # autoping: aiohttp answers the app's pings with pongs
        await ws.prepare(request)
        self._sockets.append(ws)
        self.opened += 1
        await ws.send_json(self._hello())
        await self._notify()
        try:
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    self._receive(message.data)
        finally:
            self._sockets.remove(ws)
            await self._notify()
        return ws

    def _hello(self) -> dict[str, Any]:
        return {
            "type": "hello",
            "num_connections": self.connected,
            "debug_info": {
                "host": "applink-local",
                "build_number": 1,
                "approximate_connection_time": 18060,
            },
            "connection_info": {"app_id": self.app_id},
        }

    def _receive(self, data: str) -> None:
        try:
            message = json.loads(data)
        except ValueError:
            logger.warning("Socket Mode: unreadable message from the app: %r", data[:200])
            return
        self.received.append(message)
        envelope_id = message.get("envelope_id") if isinstance(message, dict) else None
        waiter = self._acks.get(str(envelope_id))
        if waiter is not None and not waiter.done():
            waiter.set_result(message)

    async def _notify(self) -> None:
        changed = self._condition()
        async with changed:
            changed.notify_all()

    async def _close_all(self, _: web.Application) -> None:
        for ws in list(self._sockets):
            await ws.close(code=WSCloseCode.GOING_AWAY, message=b"server shutdown")
