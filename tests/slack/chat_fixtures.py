"""Seed data and helpers shared by the chat tests."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from bot.bootstrap import Container
from bot.localslack import LocalSlack
from domain.model import Client, Role, User

REP = "U0REP1"
OTHER = "U0REP2"
MANAGER = "U0MGR1"


async def seed(container: Container, slack: LocalSlack) -> None:
    """Two reps and a manager (Slack knows their zones) and a handful of clients."""
    slack.users[REP] = {"real_name": "Dana Rep", "tz": "America/Los_Angeles", "email": "d@x.io"}
    slack.users[OTHER] = {"real_name": "Sam Rep", "tz": "Pacific/Honolulu"}
    slack.users[MANAGER] = {"real_name": "Mo Manager", "tz": "Europe/London"}
    async with container.uow() as uow:
        await uow.users.upsert_many(
            [
                User(MANAGER, "Mo Manager", role=Role.MANAGER, timezone="Europe/London"),
                User(REP, "Dana Rep", manager_slack_user_id=MANAGER),
                User(OTHER, "Sam Rep", manager_slack_user_id=MANAGER),
            ]
        )
        await uow.clients.upsert_many(
            [
                _client("C1", "Acme Industrial"),
                _client("C2", "Acme Industries"),
                _client("C3", "Northwind Supply Co"),
                _client("C4", "<!channel> & Co"),
                _client("C5", "Blue Ridge Fasteners"),
            ]
        )
        await uow.commit()


def _client(external_id: str, name: str) -> Client:
    return Client(
        external_id,
        name,
        owner_slack_user_id=REP,
        credit_limit=Decimal("50000"),
        created_at=datetime(2024, 1, 1, tzinfo=UTC),
    )


async def rows(container: Container, model: type) -> list[Any]:
    """Every row of a table, read plainly (outside any unit of work)."""
    async with container.engine.connect() as conn:
        return list(await conn.execute(select(model.__table__)))


async def reply(slack: LocalSlack, count: int = 1) -> dict[str, Any]:
    """The ``count``-th message that reached a response_url, as the app sent it."""
    calls = await slack.wait_for("response_url", count)
    return calls[count - 1].args


def text_of(message: dict[str, Any]) -> str:
    parts = [str(message.get("text", ""))]
    for block in message.get("blocks") or []:
        if block.get("text"):
            parts.append(str(block["text"].get("text", "")))
        parts += [str(f.get("text", "")) for f in block.get("fields", [])]
        parts += [
            str(e.get("text", ""))
            for e in block.get("elements", [])
            if isinstance(e.get("text"), str)
        ]
    return "\n".join(parts)


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for block in message.get("blocks") or []:
        if block.get("type") == "actions":
            found += [e for e in block["elements"] if e.get("type") == "button"]
        if (block.get("accessory") or {}).get("type") == "button":
            found.append(block["accessory"])
    return found


def button(message: dict[str, Any], label: str) -> dict[str, Any]:
    for b in buttons(message):
        if b["text"]["text"].startswith(label):
            return b
    raise AssertionError(f"no button {label!r} in {[b['text']['text'] for b in buttons(message)]}")


def click(
    user: str, pressed: dict[str, Any], *, response_url: str, channel: str = "C0GENERAL"
) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "user": {"id": user},
        "team": {"id": "T0001"},
        "api_app_id": "A0001",
        "channel": {"id": channel},
        "trigger_id": f"{asyncio.get_running_loop().time()}.{pressed['action_id']}.trig",
        "response_url": response_url,
        "actions": [
            {
                "type": "button",
                "action_id": pressed["action_id"],
                "block_id": "b",
                "value": pressed.get("value", ""),
            }
        ],
        "container": {"type": "message"},
    }
