"""Outbound webhooks: which endpoint hears which event, the body it gets, and its signature.

An event becomes one outbox row (kind ``webhook``) per configured endpoint subscribed to
it, written in the caller's transaction: it is sent after the change commits, and a
restart loses nothing. The row's key, ``webhook:{endpoint}:{event}:{entity}:{version}``,
makes emitting the same event twice a no-op. The sender signs every try afresh
(``domain/webhook_signing.py``). Pure: no HTTP here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from domain.model import Activity, Client, OutboxMessage, Task
from domain.ports import UnitOfWork

WEBHOOK_KIND = "webhook"
EVENTS = (
    "quote.approved",
    "quote.rejected",
    "quote.expired",
    "activity.logged",
    "task.completed",
    "client.risk_changed",
)


@dataclass(frozen=True)
class Endpoint:
    """A receiver from the policy file; ``name`` names it in outbox keys and attempts."""

    name: str
    url: str
    secret: str = field(repr=False)
    events: frozenset[str] = frozenset(EVENTS)

    def wants(self, event: str) -> bool:
        return event in self.events


@dataclass(frozen=True)
class WebhookAttempt:
    """One try at delivering one outbox row: kept whatever it came to."""

    delivery_key: str
    endpoint: str
    event: str
    attempt: int
    attempted_at: datetime
    outcome: str  # "delivered", "retry" (429, 5xx, timeout) or "rejected" (other answers)
    duration_ms: int
    status_code: int | None = None
    error: str | None = None
    id: int | None = None


def delivery_key(endpoint: str, event: str, entity: str, version: int | str) -> str:
    return f"webhook:{endpoint}:{event}:{entity}:{version}"


def jsonable(value: Any) -> Any:
    """Money as a string (exact), times as ISO-8601, enums as their value."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def event_body(
    *, key: str, event: str, data: Mapping[str, Any], occurred_at: datetime
) -> dict[str, Any]:
    return {
        "id": key,
        "event": event,
        "occurred_at": occurred_at.isoformat(),
        "data": jsonable(data),
    }


async def enqueue_event(
    uow: UnitOfWork,
    endpoints: Iterable[Endpoint],
    event: str,
    data: Mapping[str, Any],
    *,
    entity: str,
    version: int | str,
    now: datetime,
) -> int:
    """Queue ``event`` for every endpoint subscribed to it; how many rows were new."""
    if event not in EVENTS:
        raise ValueError(f"unknown webhook event {event!r}")
    queued = 0
    for endpoint in endpoints:
        if not endpoint.wants(event):
            continue
        key = delivery_key(endpoint.name, event, entity, version)
        body = event_body(key=key, event=event, data=data, occurred_at=now)
        message = OutboxMessage(
            key=key,
            channel=endpoint.name,
            payload={"event": event, "body": body},
            kind=WEBHOOK_KIND,
        )
        queued += await uow.outbox.enqueue(message, now=now)
    return queued


@dataclass(frozen=True)
class ConfiguredWebhooks:
    """The ``Webhooks`` port over the endpoints of the policy file."""

    endpoints: tuple[Endpoint, ...]

    async def emit(
        self,
        uow: UnitOfWork,
        event: str,
        data: Mapping[str, Any],
        *,
        entity: str,
        version: int | str,
        now: datetime,
    ) -> int:
        return await enqueue_event(
            uow, self.endpoints, event, data, entity=entity, version=version, now=now
        )


@dataclass(frozen=True)
class NoWebhooks:
    """No endpoint configured: every event is dropped here, at no cost."""

    async def emit(
        self,
        uow: UnitOfWork,
        event: str,
        data: Mapping[str, Any],
        *,
        entity: str,
        version: int | str,
        now: datetime,
    ) -> int:
        return 0


NO_WEBHOOKS = NoWebhooks()


def activity_logged(activity: Activity, client: Client) -> dict[str, Any]:
    return {
        "activity_id": activity.id,
        "client_external_id": client.external_id,
        "type": activity.type,
        "notes": activity.notes,
        "occurred_at": activity.occurred_at,
        "author_slack_user_id": activity.author_slack_user_id,
        "source": activity.source,
        "permalink": activity.permalink,
    }


def task_completed(
    task: Task, *, client_external_id: str | None, by: str, at: datetime
) -> dict[str, Any]:
    return {
        "task_id": task.id,
        "title": task.title,
        "client_external_id": client_external_id,
        "assignee_slack_user_id": task.assignee_slack_user_id,
        "completed_by_slack_user_id": by,
        "completed_at": at,
        "due_at": task.due_at,
    }
