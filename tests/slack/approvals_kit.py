"""Shared by the approval tests: a team, quotes through the REST API, clicks on requests."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from bot.bootstrap import Container
from bot.localslack import LocalSlack, Message
from domain.model import Client, Invoice, Role, User
from schedulers.jobs import run_job
from storage.models import AuditRow, OutboxRow
from tests.conftest import FixedClock
from tests.slack.chat_fixtures import rows, text_of
from tests.slack.conftest import SlackUser

REP, MGR, FIN1, FIN2, OUTSIDER, BIGBOSS = "U0REP1", "U0MGR1", "U0FIN1", "U0FIN2", "U0OUT1", "U0BIG1"


async def seed_team(container: Container, slack: LocalSlack) -> None:
    """A rep whose manager (who reports to a director) approves, two people in finance,
    an unrelated rep; a client with room on its credit, one nearly out of it."""
    for uid, name in ((REP, "Dana Rep"), (MGR, "Mo Manager"), (FIN1, "Fay"), (FIN2, "Finn")):
        slack.users[uid] = {"real_name": name, "tz": "UTC"}
    async with container.uow() as uow:
        await uow.users.upsert_many(
            [
                User(BIGBOSS, "Big Boss", role=Role.ADMIN),
                User(MGR, "Mo Manager", role=Role.MANAGER, manager_slack_user_id=BIGBOSS),
                User(REP, "Dana Rep", manager_slack_user_id=MGR),
                User(OUTSIDER, "Sam Rep", manager_slack_user_id=MGR),
                User(FIN1, "Fay Finance", role=Role.FINANCE),
                User(FIN2, "Finn Finance", role=Role.FINANCE),
            ]
        )
        since = datetime(2024, 1, 1, tzinfo=UTC)
        await uow.clients.upsert_many(
            [
                Client(
                    "C1", "Acme <Industrial> & Co", credit_limit=Decimal(200000), created_at=since
                ),
                Client("C2", "Tight Credit Ltd", credit_limit=Decimal(20000), created_at=since),
                Client("C3", "No Limit Inc", created_at=since),
            ]
        )
        await uow.invoices.upsert_many(
            [
                Invoice(
                    "I-1",
                    "C2",
                    datetime(2026, 10, 1, tzinfo=UTC),
                    datetime(2026, 10, 31, tzinfo=UTC),
                    Decimal(15000),
                )
            ]
        )
        await uow.commit()


def quote_body(
    total: str, *, discount: str = "0", client: str = "C1", **extra: Any
) -> dict[str, Any]:
    return {
        "client_external_id": client,
        "requested_by_slack_user_id": REP,
        "total": total,
        "discount_pct": discount,
        "valid_until": "2026-12-31T00:00:00Z",
        "description": "Spring restock <b>rush</b>",
        **extra,
    }


async def put_quote(user: SlackUser, key: str, body: dict[str, Any]) -> dict[str, Any]:
    """``PUT /api/v1/quotes/{key}`` as the ERP sends it."""
    headers = {"Authorization": "Bearer test-api-token"}
    async with user.http.put(f"{user.base}/api/v1/quotes/{key}", json=body, headers=headers) as r:
        assert r.status in (200, 201), await r.text()
        return dict(await r.json())


async def get_quote(user: SlackUser, key: str) -> dict[str, Any]:
    headers = {"Authorization": "Bearer test-api-token"}
    async with user.http.get(f"{user.base}/api/v1/quotes/{key}", headers=headers) as r:
        assert r.status == 200, await r.text()
        return dict(await r.json())


async def deliver(container: Container, clock: FixedClock) -> None:
    """Send what the outbox holds, as the scheduler would, once the app's own drain (a
    click asks for one) is done."""
    for _ in range(50):
        await asyncio.sleep(0.02)
        if container._delivery is not None:
            await asyncio.wait({container._delivery}, timeout=10)
        await run_job(container, "outbox", now=clock.now)
        queued = [r for r in await rows(container, OutboxRow) if r.status == "pending"]
        if not queued:
            return
    raise AssertionError(f"still queued: {[r.key for r in queued]}")


def posts_to(slack: LocalSlack, user: str) -> list[Message]:
    """The direct messages posted to ``user`` (addressed by user id), oldest first."""
    return [
        m for m in slack.messages if m.method == "chat.postMessage" and m.channel == dm(slack, user)
    ]


def dm(slack: LocalSlack, user: str) -> str:
    return slack._dm(user)  # the stand-in's DM id for the user, as conversations.open gives it


def updates_of(slack: LocalSlack, message: Message) -> list[Message]:
    return [
        m
        for m in slack.messages
        if m.method == "chat.update" and m.ts == message.ts and m.channel == message.channel
    ]


def latest(slack: LocalSlack, message: Message) -> Message:
    """The message as it reads now (its last update, or itself)."""
    found = updates_of(slack, message)
    return found[-1] if found else message


def pressed(message: Message, action_id: str) -> dict[str, Any]:
    for block in message.blocks:
        for element in block.get("elements") or []:
            if element.get("action_id") == action_id:
                return dict(element)
    raise AssertionError(f"no {action_id} in {text_of({'blocks': message.blocks})}")


def read(message: Message) -> str:
    """A message's text and blocks as one searchable string."""
    return text_of({"text": message.text, "blocks": message.blocks})


async def audit(container: Container, action: str) -> list[Any]:
    """The audit rows of one action, oldest first."""
    return [r for r in await rows(container, AuditRow) if r.action == action]


def has_buttons(message: Message) -> bool:
    return any(b.get("type") == "actions" for b in message.blocks)


_n = 0


async def press(
    user: SlackUser,
    actor: str,
    message: Message,
    action_id: str,
    *,
    state: dict[str, Any] | None = None,
    home: bool = False,
) -> str:
    """Click a button of ``message`` as ``actor``; the name of the click's response_url."""
    global _n
    _n += 1
    name = f"click{_n}"
    element = pressed(message, action_id)
    payload = {
        "type": "block_actions",
        "user": {"id": actor},
        "team": {"id": "T0001"},
        "api_app_id": "A0001",
        "channel": {"id": message.channel},
        "trigger_id": f"{asyncio.get_running_loop().time()}.{_n}.trig",
        "response_url": user.slack.response_url(name),
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "b",
                "value": element.get("value", ""),
            }
        ],
        "container": {"type": "message", "message_ts": message.ts},
        "message": {"ts": message.ts, "blocks": message.blocks},
    }
    if state is not None:
        payload["state"] = {"values": state}
    if home:  # a click on the App Home: no channel, no response_url
        for key in ("channel", "response_url", "message"):
            payload.pop(key)
        payload["container"] = {"type": "view", "view_id": "VHOME"}
        payload["view"] = {"type": "home", "id": "VHOME", "blocks": [], "private_metadata": ""}
    status, _ = await user.interact(payload)
    assert status == 200
    return name


async def told(slack: LocalSlack, name: str) -> str:
    """What the app answered on the click's response_url."""
    for _ in range(200):
        found = [m for m in slack.messages if m.response_url == name]
        if found:
            return text_of({"text": found[-1].text, "blocks": found[-1].blocks})
        await asyncio.sleep(0.02)
    raise AssertionError(f"nothing came back on {name}")
