"""The real aiohttp app on loopback; Teams activities posted to ``/api/messages`` with their
``serviceUrl`` pointing at a local stand-in of the Bot Connector, which records replies."""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import text

from bot.bootstrap import Container, build
from bot.localslack import LocalSlack
from bot.localteams import LocalTeams, Recorded
from bot.web import build_web_app
from tests.conftest import FixedClock, make_settings

BOT = {"id": "28:crmbot-app", "name": "crmbot"}
TENANT = "tenant-1"


def aad(user: str) -> str:
    return f"aad-{user.lower()}"


def mri(user: str) -> str:
    return f"29:{user.lower()}"


class TeamsUser:
    """Sends what Teams sends on a user's behalf, and reads what the bot answered."""

    def __init__(self, http: aiohttp.ClientSession, base: str, connector: LocalTeams) -> None:
        self.http, self.base, self.connector = http, base, connector
        self._ids = itertools.count(1)

    def activity(self, user: str, kind: str = "message", **fields: Any) -> dict[str, Any]:
        channel = fields.pop("channel", None)
        conversation = (
            {"id": f"19:{channel}@thread.tacv2", "conversationType": "channel"}
            if channel
            else {"id": f"a:personal-{user.lower()}", "conversationType": "personal"}
        )
        sender = {"id": mri(user), "name": fields.pop("display", user), "aadObjectId": aad(user)}
        sender |= fields.pop("sender", {})
        return {
            "type": kind,
            "id": f"act-{next(self._ids)}",
            "channelId": "msteams",
            "serviceUrl": self.connector.service_url,
            "from": sender,
            "recipient": BOT,
            "conversation": conversation | {"tenantId": TENANT},
            "channelData": {"tenant": {"id": TENANT}},
            **fields,
        }

    async def post(
        self, activity: dict[str, Any], *, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        url = f"{self.base}/api/messages"
        async with self.http.post(url, json=activity, headers=headers or {}) as r:
            body = await r.text()
            return r.status, (json.loads(body) if body.strip().startswith("{") else body)

    async def say(self, user: str, text: str, **fields: Any) -> dict[str, Any]:
        """Type ``text`` to the bot; the bot's one reply (the activity it posted)."""
        before = len(self.connector.activities)
        status, _ = await self.post(self.activity(user, text=text, **fields))
        assert status in (200, 202), status
        new = self.connector.activities[before:]
        assert len(new) == 1, new
        return new[0].json

    async def invoke(
        self, user: str, name: str, value: dict[str, Any], **fields: Any
    ) -> dict[str, Any]:
        activity = self.activity(user, "invoke", name=name, value=value, **fields)
        status, body = await self.post(activity)
        assert status == 200, (status, body)
        return dict(body)

    async def press(self, user: str, verb: str, value: str = "", **inputs: Any) -> dict[str, Any]:
        """Press an ``Action.Execute`` button; the invoke response Teams gets."""
        action = {"type": "Action.Execute", "verb": verb, "data": {"value": value, **inputs}}
        return await self.invoke(user, "adaptiveCard/action", {"action": action})


def card_of(reply: dict[str, Any]) -> dict[str, Any]:
    """The Adaptive Card in a posted activity or an invoke response."""
    if "attachments" in reply:
        (attachment,) = reply["attachments"]
        assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
        return dict(attachment["content"])
    assert reply["type"] == "application/vnd.microsoft.card.adaptive", reply
    return dict(reply["value"])


def texts(card: dict[str, Any]) -> str:
    """Every text of a card, one per line (TextBlocks, facts, button titles)."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "TextBlock":
                out.append(str(node["text"]))
            if node.get("type") == "FactSet":
                out.extend(f"{f['title']}: {f['value']}" for f in node["facts"])
            if str(node.get("type", "")).startswith("Action."):
                out.append(str(node.get("title", "")))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card.get("body", []))
    return "\n".join(out)


def actions(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        a for element in card["body"] if element["type"] == "ActionSet" for a in element["actions"]
    ]


async def link_teams(container: Container, *users: str) -> None:
    """Give users their Teams (AAD) ids, as an admin would."""
    async with container.engine.begin() as conn:
        for user in users:
            await conn.execute(
                text("UPDATE users SET teams_user_id = :aad WHERE slack_user_id = :user"),
                {"aad": aad(user), "user": user},
            )


def replies_to(connector: LocalTeams, conversation: str) -> list[Recorded]:
    return [r for r in connector.activities if f"/conversations/{conversation}/" in r.path]


@pytest.fixture
async def connector() -> AsyncIterator[LocalTeams]:
    async with LocalTeams() as stand_in:
        yield stand_in


@pytest.fixture
async def slack() -> AsyncIterator[LocalSlack]:
    async with LocalSlack() as stand_in:
        yield stand_in


@pytest.fixture
async def teams_container(
    database_url: str, clock: FixedClock, slack: LocalSlack
) -> AsyncIterator[Container]:
    container = build(make_settings(database_url, SLACK_API_URL=slack.api_url), clock=clock)
    try:
        yield container
    finally:
        await container.close()


@pytest.fixture
async def teams(teams_container: Container, connector: LocalTeams) -> AsyncIterator[TeamsUser]:
    runner = web.AppRunner(build_web_app(teams_container, None))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    async with aiohttp.ClientSession() as http:
        yield TeamsUser(http, f"http://{host}:{port}", connector)
    await runner.cleanup()
