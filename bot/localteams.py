"""A local stand-in of the Bot Connector service (Teams' side of `/v3/conversations`).

The bot answers a Teams activity by calling the activity's `serviceUrl`; tests point that
at `LocalTeams.service_url` and read what arrived in `activities`:

    async with LocalTeams() as connector:
        ...  # post an activity whose serviceUrl is connector.service_url
        method, path, body = connector.activities[-1]
"""

from __future__ import annotations

import itertools
import logging
from typing import Any, NamedTuple

from aiohttp import web

from bot.loopback import LoopbackServer

logger = logging.getLogger(__name__)


class Recorded(NamedTuple):
    """One request the bot made: ("POST" | "PUT" | "DELETE", path, JSON body or {})."""

    method: str
    path: str
    json: dict[str, Any]


class LocalTeams(LoopbackServer):
    """An aiohttp server on 127.0.0.1 that accepts what a bot sends to the Bot Connector.

    Sending, replying, updating and deleting activities and creating conversations are
    recorded and answered the way the connector answers (`{"id": ...}`); `members` answers
    `GET .../members/{id}` (the bot's way to learn a user's email); `fail_next(status)`
    makes the next request fail, for the retry paths. Authorization headers are kept in
    `tokens`.
    """

    def __init__(self, *, port: int = 0) -> None:
        self.activities: list[Recorded] = []
        self.tokens: list[str | None] = []
        self.members: dict[str, dict[str, Any]] = {}
        super().__init__(port=port)
        self._faults: list[int] = []
        self._ids = itertools.count(1)

    label = "local Bot Connector"

    def routes(self, app: web.Application) -> None:
        conversation = "/v3/conversations/{conversation}"
        app.router.add_post("/v3/conversations", self._create_conversation)
        app.router.add_post(f"{conversation}/activities", self._activity)
        app.router.add_post(f"{conversation}/activities/{{activity}}", self._activity)
        app.router.add_put(f"{conversation}/activities/{{activity}}", self._activity)
        app.router.add_delete(f"{conversation}/activities/{{activity}}", self._activity)
        app.router.add_get(f"{conversation}/members/{{member}}", self._member)

    @property
    def service_url(self) -> str:
        return self.base_url

    def fail_next(self, status: int = 503) -> None:
        """Answer the next recorded request with `status` (requests queue up)."""
        self._faults.append(status)

    def sent(self, method: str | None = None) -> list[Recorded]:
        return [item for item in self.activities if method in (None, item.method)]

    async def wait_for(self, count: int = 1, *, timeout: float = 5.0) -> list[Recorded]:  # noqa: ASYNC109
        """Wait until `count` requests were recorded; TimeoutError otherwise."""
        try:
            await self.wait_until(lambda: len(self.activities) >= count, timeout=timeout)
        except TimeoutError:
            raise TimeoutError(f"{count} requests not seen; saw {len(self.activities)}") from None
        return self.activities

    async def _activity(self, request: web.Request) -> web.Response:
        fault = await self._record(request)
        if fault:
            return web.json_response({"error": {"code": "ServiceError"}}, status=fault)
        if request.method == "DELETE":
            return web.Response(status=200)
        activity = request.match_info.get("activity")
        new_id = activity if request.method == "PUT" and activity else f"act{next(self._ids)}"
        return web.json_response({"id": new_id}, status=200 if request.method == "PUT" else 201)

    async def _create_conversation(self, request: web.Request) -> web.Response:
        fault = await self._record(request)
        if fault:
            return web.json_response({"error": {"code": "ServiceError"}}, status=fault)
        body = self.activities[-1].json
        members = body.get("members") or [{}]
        conversation = f"a:conv-{members[0].get('id', 'unknown')}"
        answer = {"id": conversation, "serviceUrl": self.service_url}
        if body.get("activity"):
            answer["activityId"] = f"act{next(self._ids)}"
        return web.json_response(answer, status=201)

    async def _member(self, request: web.Request) -> web.Response:
        member = self.members.get(request.match_info["member"])
        if member is None:
            return web.json_response(
                {"error": {"code": "MemberNotFoundInConversation"}}, status=404
            )
        return web.json_response({"id": request.match_info["member"]} | member)

    async def _record(self, request: web.Request) -> int | None:
        body: Any = {}
        if request.can_read_body:
            try:
                body = await request.json()
            except ValueError:
                logger.warning("unreadable JSON body for %s", request.path)
        self.tokens.append(request.headers.get("Authorization"))
        self.activities.append(
            Recorded(request.method, request.path, body if isinstance(body, dict) else {})
        )
        await self.arrived()
        return self._faults.pop(0) if self._faults else None
