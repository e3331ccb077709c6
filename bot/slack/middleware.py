"""Global Bolt middleware: who is answered, retries dropped, services handed down."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.bootstrap import REQUEST_TOKEN, Container
from bot.slack.request_ledger import RequestLedger
from bot.slack.respond import PooledRespond
from domain.text import printable

logger = logging.getLogger(__name__)

Next = Callable[[], Awaitable[BoltResponse | None]]
JSON: dict[str, str | Sequence[str]] = {"content-type": "application/json"}
REFUSAL = "crmbot isn't enabled for this workspace. Ask your admin to add it."


def dedupe_key(body: dict[str, Any], raw: str) -> str | None:
    """A stable id for a request and its retries; None for requests safe to repeat."""
    if body.get("type") == "block_suggestion":
        return None  # options loads change nothing
    if body.get("event_id"):
        return f"event:{body['event_id']}"
    if body.get("trigger_id"):
        return f"trigger:{body['trigger_id']}"
    return "body:" + hashlib.sha256(raw.encode()).hexdigest()


class StickyAck(AsyncAck):
    """An ack that stays given. Bolt's runner resets ``ack.response`` to None when a
    listener raises after acking (its error path); when that happens before its 10 ms poll
    has seen the ack, the request ends in a 404 after 3 s and Slack tells the user the
    command failed, although the error reply went out. Fast refusals do exactly that."""

    @property
    def response(self) -> BoltResponse | None:
        return self._given

    @response.setter
    def response(self, value: BoltResponse | None) -> None:
        if value is not None or getattr(self, "_given", None) is None:
            self._given = value


async def sticky_ack(context: AsyncBoltContext, next: Next) -> BoltResponse | None:
    if context.ack.response is None:
        context["ack"] = StickyAck()  # type: ignore[no-untyped-call]
    return await next()


def build_middleware(container: Container) -> list[Callable[..., Awaitable[Any]]]:
    allowed = container.settings.allowed_team_ids
    app_id = container.settings.slack_app_id

    async def allowed_teams(
        context: AsyncBoltContext, body: dict[str, Any], next: Next
    ) -> BoltResponse | None:
        team = context.team_id or (body.get("team") or {}).get("id")
        if allowed and team not in allowed:
            logger.info("refused request from team %s", team)
            return _refusal(body)
        sent_for = body.get("api_app_id")
        if app_id and sent_for and sent_for != app_id:
            logger.info("refused request for app %s", sent_for)
            return _refusal(body)
        return await next()

    ledger = RequestLedger(container.uow, container.clock)

    async def drop_retries(
        request: AsyncBoltRequest, body: dict[str, Any], next: Next
    ) -> BoltResponse | None:
        key = dedupe_key(body, request.raw_body)
        if key is not None:
            first = await ledger.first_time(key)
            if not first:
                logger.info("dropped a repeat of %s (retry %s)", key, _retry_num(request))
                return BoltResponse(status=200, body="")
        return await next()

    async def scrub(body: dict[str, Any], next: Next) -> BoltResponse | None:
        _scrub(body)
        return await next()

    async def inject(context: AsyncBoltContext, next: Next) -> BoltResponse | None:
        context["container"] = container
        # the workspace's own token (OAuth), for every Web API call made for this request
        REQUEST_TOKEN.set(context.bot_token)
        if context.response_url:  # replies over the process's one HTTP session
            context["respond"] = PooledRespond(
                response_url=context.response_url, session=container.http
            )
        return await next()

    return [sticky_ack, allowed_teams, drop_retries, scrub, inject]


def team_gate(container: Container) -> Callable[..., Awaitable[Any]]:
    """Before the installation is looked up: a workspace outside CRMBOT_ALLOWED_TEAMS is
    refused at once, installed or not (a request without a team goes on to Bolt)."""
    allowed = container.settings.allowed_team_ids

    async def gate(
        context: AsyncBoltContext, body: dict[str, Any], next: Next
    ) -> BoltResponse | None:
        team = context.team_id or (body.get("team") or {}).get("id")
        if allowed and team and team not in allowed:
            logger.info("refused request from team %s", team)
            return _refusal(body)
        return await next()

    return gate


def _scrub(node: Any) -> None:
    """Drop control characters from every text of a payload, in place: Slack never means
    them, and a NUL in a typed value would otherwise reach the database (PostgreSQL
    refuses it) from any field of any modal or command."""
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for key, value in list(items):
        if isinstance(value, str):
            node[key] = printable(value)
        elif isinstance(value, dict | list):
            _scrub(value)


def _refusal(body: dict[str, Any]) -> BoltResponse:
    """A short refusal to a command; an empty 200 to anything else (Slack needs an ack)."""
    if body.get("command"):
        reply = {"response_type": "ephemeral", "text": REFUSAL}
        return BoltResponse(status=200, body=json.dumps(reply), headers=JSON)
    return BoltResponse(status=200, body="")


def _retry_num(request: AsyncBoltRequest) -> str:
    values = request.headers.get("x-slack-retry-num") or ["0"]
    return values[0]
