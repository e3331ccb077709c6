"""The permissions matrix's world: seven people, a client with money, and a probe that
sends one signed request as one person and says what that person (and any channel) saw.

Roles (issue #10): a rep who owns the client, a rep who doesn't, the owner's manager, a
manager of someone else, finance, an admin, and a Slack user crmbot has never met.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from bot.bootstrap import Container
from bot.localslack import Call, LocalSlack
from domain.model import Client, Invoice, Order, Role, User
from schedulers.jobs import run_job
from tests.integration.alerts_fixtures import add_task, keep_scores, record
from tests.slack.conftest import SlackUser

OWNER, PEER, MGR, OTHER_MGR = "U0OWN", "U0PEER", "U0MGR", "U0OMGR"
FIN, ADMIN, NEWBIE = "U0FIN", "U0ADM", "U0NEW"
ROLES = {
    "rep-owner": OWNER,
    "rep-not-owner": PEER,
    "manager-of-owner": MGR,
    "other-manager": OTHER_MGR,
    "finance": FIN,
    "admin": ADMIN,
    "unknown": NEWBIE,
}
SEES_MONEY = {OWNER, MGR, FIN, ADMIN}
MONEY = re.compile(r"\$\s?\d")  # every amount here is USD, written `$12,345`
CHANNEL = "C0DEALS"
TOKEN = {"Authorization": "Bearer test-api-token"}
_TO_USER = {"response_url", "views.open", "views.push", "views.update"}


async def seed_world(container: Container, slack: LocalSlack, user: SlackUser) -> None:
    """Acme Rockets (and Acme Rollers, for a choice) owned by OWNER, with orders, an overdue
    invoice, a quote waiting on MGR and a risk alert; everyone but NEWBIE is a user."""
    for name, uid in ROLES.items():
        slack.users[uid] = {"real_name": name.title(), "tz": "UTC"}
    since = datetime(2024, 1, 1, tzinfo=UTC)
    async with container.uow() as uow:
        await uow.users.upsert_many(
            [
                User(ADMIN, "Admin", role=Role.ADMIN),
                User(MGR, "Manager-Of-Owner", role=Role.MANAGER),
                User(OTHER_MGR, "Other-Manager", role=Role.MANAGER),
                User(OWNER, "Rep-Owner", manager_slack_user_id=MGR),
                User(PEER, "Rep-Not-Owner", manager_slack_user_id=MGR),
                User(FIN, "Finance", role=Role.FINANCE),
            ]
        )
        await uow.clients.upsert_many(
            [
                Client("C1", "Acme Rockets", owner_slack_user_id=OWNER, created_at=since,
                       credit_limit=Decimal(900000)),
                Client("C2", "Acme Rollers", owner_slack_user_id=OWNER, created_at=since),
            ]
        )  # fmt: skip
        await uow.orders.upsert_many(
            [
                Order(f"O{i}", "C1", datetime(2025, m, 3, tzinfo=UTC), Decimal("12345.00"))
                for i, m in enumerate((2, 5, 8, 11), start=1)
            ]
        )
        due = datetime(2026, 9, 1, tzinfo=UTC)
        await uow.invoices.upsert_many([Invoice("I1", "C1", since, due, Decimal("4321.00"))])
        ids = await uow.clients.ids_for(["C1"])
        await uow.commit()
    for key, total in (("Q1", "23456"), ("Q2", "15000")):
        body = {"client_external_id": "C1", "requested_by_slack_user_id": OWNER, "total": total}
        async with user.http.put(f"{user.base}/api/v1/quotes/{key}", json=body, headers=TOKEN) as r:
            assert r.status in (200, 201), await r.text()
    for i in range(6):  # more than the Home shows: a "Show more" button
        due = container.clock() + timedelta(days=2 + i)
        await add_task(container, OWNER, f"Call Acme back #{i}", due, client_id=ids["C1"])
    today = container.clock().date()
    await keep_scores(container, today, [record(ids["C1"], "C1", today, risk=85)])
    await run_job(container, "risk-alerts", now=container.clock())
    await settle(container)


async def settle(container: Container) -> None:
    """Send what the outbox holds, as the scheduler would."""
    for _ in range(20):
        if container._delivery is not None:
            await asyncio.wait({container._delivery}, timeout=10)
        await run_job(container, "outbox", now=container.clock())
        await asyncio.sleep(0.01)
        if container._delivery is None or container._delivery.done():
            return


@dataclass
class Seen:
    """What one request showed: to the person, and to any channel."""

    status: int
    body: Any
    private: list[dict[str, Any]] = field(default_factory=list)
    public: list[dict[str, Any]] = field(default_factory=list)

    def text(self) -> str:
        return json.dumps([self.body, *self.private], default=str)

    def money(self) -> bool:
        return bool(MONEY.search(self.text()))

    def views(self) -> list[dict[str, Any]]:
        return [c for c in self.private if "view" in c]


class Probe:
    """Sends one request as one person, waits for its answer, sorts what Slack got."""

    def __init__(self, user: SlackUser, slack: LocalSlack, container: Container) -> None:
        self.user, self.slack, self.container = user, slack, container
        self.n = 0
        self.seen_by: dict[str, list[Seen]] = {uid: [] for uid in ROLES.values()}

    def url(self, uid: str) -> str:
        self.n += 1
        return self.slack.response_url(f"{uid}-{self.n}")

    async def command(self, uid: str, text: str, channel: str = CHANNEL) -> Seen:
        body = self.user.command_body(text, user=uid, channel=channel)
        return await self._send(uid, self.user.post(body))

    async def interact(self, uid: str, payload: dict[str, Any], *, answer: bool = True) -> Seen:
        return await self._send(uid, self.user.interact(payload), answer=answer)

    async def event(self, uid: str, event: dict[str, Any]) -> Seen:
        body = {
            "token": "t", "team_id": "T0001", "api_app_id": "A0001", "type": "event_callback",
            "event_id": f"Ev{uuid.uuid4().hex[:10]}", "event_time": int(time.time()),
            "event": {**event, "user": uid},
        }  # fmt: skip
        sent = self.user.post(json.dumps(body), headers={"Content-Type": "application/json"})
        return await self._send(uid, sent)

    def click(self, uid: str, element: dict[str, Any], **extra: Any) -> dict[str, Any]:
        action = {"type": "button", "block_id": "b", "action_id": element["action_id"]}
        action["value"] = element.get("value", "")
        return {
            "type": "block_actions", "user": {"id": uid}, "team": {"id": "T0001"},
            "api_app_id": "A0001", "channel": {"id": CHANNEL}, "actions": [action],
            "trigger_id": f"{uid}.{self.n}.trig", "response_url": self.url(uid),
            "container": {"type": "message"}, **extra,
        }  # fmt: skip

    async def _send(self, uid: str, sending: Any, *, answer: bool = True) -> Seen:
        start = len(self.slack.calls)
        status, body = await sending
        answered = isinstance(body, dict) and bool(body)
        if answer and not answered:
            await self._answer(start)
        if self.container._delivery is not None:  # a click asked for a drain: let it end
            await asyncio.wait({self.container._delivery}, timeout=10)
        seen = Seen(status, body)
        for call in self.slack.calls[start:]:
            self._sort(call, uid, seen)
        self.seen_by.setdefault(uid, []).append(seen)
        return seen

    async def _answer(self, start: int) -> None:
        for _ in range(250):
            new = self.slack.calls[start:]
            if any(c.method in _TO_USER or c.method.startswith("chat.") for c in new):
                return
            if any(c.method == "views.publish" for c in new):
                return
            await asyncio.sleep(0.02)
        raise AssertionError(f"no answer; saw {[c.method for c in self.slack.calls[start:]]}")

    def _sort(self, call: Call, uid: str, seen: Seen) -> None:
        args, dm = call.args, self.slack._dm(uid)
        channel = str(args.get("channel") or "")
        if call.method in _TO_USER:
            seen.private.append(args)
        elif call.method == "views.publish" and args.get("user_id") == uid:
            seen.private.append(args)
        elif call.method == "chat.postEphemeral" and args.get("user") == uid:
            seen.private.append(args)
        elif call.method in ("chat.postMessage", "chat.update") and channel in (dm, uid):
            seen.private.append(args)
        elif call.method in ("chat.postMessage", "chat.update") and channel.startswith("C"):
            seen.public.append(args)


def elements(payload: Any) -> list[dict[str, Any]]:
    """Every interactive element (with an action_id) anywhere in a message or view."""
    found: list[dict[str, Any]] = []
    if isinstance(payload, dict):
        if "action_id" in payload and payload.get("type") != "plain_text_input":
            found.append(payload)
        for value in payload.values():
            found += elements(value)
    elif isinstance(payload, list):
        for value in payload:
            found += elements(value)
    return found
