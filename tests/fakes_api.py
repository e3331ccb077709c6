"""In-memory ``domain/ports_api.py``: webhook attempts and the API's paged lists.

``FakeApiUnitOfWorkFactory`` is ``tests.fakes.FakeUnitOfWorkFactory`` with them attached,
with the same commit semantics (attempts are published on commit, dropped on leaving).
``tests/api/test_ports_contract.py`` runs the same assertions on these and on storage/.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import datetime
from typing import Self

from domain.model import Activity, Client, Task, TaskStatus
from domain.ports_api import ClientListings, TimeKey, WebhookAttempts
from domain.webhooks import WebhookAttempt
from tests.fakes import FakeUnitOfWork, FakeUnitOfWorkFactory, _Repo, _row


class FakeWebhookAttempts(WebhookAttempts):
    def __init__(self, kept: list[WebhookAttempt], next_id: int) -> None:
        self.kept, self._next = kept, next_id

    async def record(self, attempt: WebhookAttempt) -> None:
        if attempt.attempted_at.tzinfo is None:
            raise ValueError("naive datetime given to the database; store aware UTC")
        self._next += 1
        self.kept.append(_row(attempt, id=self._next))

    async def for_delivery(self, delivery_key: str) -> Sequence[WebhookAttempt]:
        found = [a for a in self.kept if a.delivery_key == delivery_key]
        return sorted(found, key=lambda a: (a.attempted_at, a.id or 0))


def _after(position: TimeKey | None, at: datetime, row_id: int | None) -> bool:
    return position is None or (at, row_id or 0) > position


def _before(position: TimeKey | None, at: datetime, row_id: int | None) -> bool:
    return position is None or (at, row_id or 0) < position


class FakeClientListings(_Repo, ClientListings):
    async def clients_page(self, *, after: str | None, limit: int) -> Sequence[Client]:
        keys = sorted(k for k in self._t.clients if after is None or k > after)
        return [_row(self._t.clients[k]) for k in keys[:limit]]

    async def activities_page(
        self, client_id: int, *, before: TimeKey | None, limit: int
    ) -> Sequence[Activity]:
        found = [
            a
            for a in self._t.activities.values()
            if a.client_id == client_id
            and a.deleted_at is None
            and _before(before, a.occurred_at, a.id)
        ]
        found.sort(key=lambda a: (a.occurred_at, a.id or 0), reverse=True)
        return [_row(a) for a in found[:limit]]

    async def tasks_page(
        self,
        client_id: int,
        *,
        after: TimeKey | None,
        status: TaskStatus | None,
        limit: int,
    ) -> Sequence[Task]:
        found = [
            t
            for t in self._t.tasks.values()
            if t.client_id == client_id
            and (status is None or t.status == status)
            and _after(after, t.due_at, t.id)
        ]
        found.sort(key=lambda t: (t.due_at, t.id or 0))
        return [_row(t) for t in found[:limit]]


class FakeApiUnitOfWork(FakeUnitOfWork):
    webhook_attempts: WebhookAttempts
    listings: ClientListings
    _api: FakeApiUnitOfWorkFactory

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self._attempts = FakeWebhookAttempts(
            copy.deepcopy(self._api.attempts), len(self._api.attempts)
        )
        self.webhook_attempts = self._attempts
        self.listings = FakeClientListings(self._txn)
        return self

    async def commit(self) -> None:
        await super().commit()
        self._api.attempts = copy.deepcopy(self._attempts.kept)

    async def rollback(self) -> None:
        await super().rollback()
        self._attempts.kept = copy.deepcopy(self._api.attempts)


class FakeApiUnitOfWorkFactory(FakeUnitOfWorkFactory):
    def __init__(self) -> None:
        super().__init__()
        self.attempts: list[WebhookAttempt] = []

    def __call__(self, *, read_only: bool = False) -> FakeApiUnitOfWork:
        uow = FakeApiUnitOfWork(self, read_only=read_only)
        uow._api = self
        return uow
