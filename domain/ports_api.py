"""Ports the REST API and outbound webhooks need beyond ``domain/ports.py``.

``storage/`` implements them on SQLAlchemy (``storage/repositories/listings.py`` and
``webhooks.py``); ``tests/fakes_api.py`` in memory. ``ApiUnitOfWork`` is the unit of work
with them attached; ``storage.uow.SqlUnitOfWork`` is one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from domain.model import Activity, Client, Task, TaskStatus
from domain.ports import UnitOfWork
from domain.webhooks import WebhookAttempt

# keyset positions: a list resumes strictly after (or, newest first, before) this row
TimeKey = tuple[datetime, int]


class Webhooks(Protocol):
    """Announces a domain event to the configured webhook endpoints, through the outbox,
    in the caller's transaction; the domain never learns how (or whether) it is sent."""

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
        """Queue ``event`` about ``entity`` at ``version``; returns the rows queued
        (0 when no endpoint wants it, or it was queued before)."""
        ...


class WebhookAttempts(Protocol):
    """Every try at a webhook delivery, kept for the operator: append-only."""

    async def record(self, attempt: WebhookAttempt) -> None: ...
    async def for_delivery(self, delivery_key: str) -> Sequence[WebhookAttempt]:
        """The tries of one delivery, oldest first."""
        ...


class ClientListings(Protocol):
    """Pages of a list, by keyset (never OFFSET), so that a page costs the same anywhere."""

    async def clients_page(self, *, after: str | None, limit: int) -> Sequence[Client]:
        """Clients by ``external_id``, those after ``after``."""
        ...

    async def activities_page(
        self, client_id: int, *, before: TimeKey | None, limit: int
    ) -> Sequence[Activity]:
        """The client's activities not undone, newest first (``occurred_at``, then id)."""
        ...

    async def tasks_page(
        self,
        client_id: int,
        *,
        after: TimeKey | None,
        status: TaskStatus | None,
        limit: int,
    ) -> Sequence[Task]:
        """The client's tasks by due time (then id), of one status or all."""
        ...


class ApiUnitOfWork(UnitOfWork, Protocol):
    webhook_attempts: WebhookAttempts
    listings: ClientListings


class ApiUnitOfWorkFactory(Protocol):
    def __call__(self) -> ApiUnitOfWork: ...
