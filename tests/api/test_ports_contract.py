"""One contract for ``domain/ports_api.py``, on the in-memory fakes, SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.bootstrap import build
from domain.model import Activity, ActivityType, Client, Surface, Task, TaskStatus, User
from domain.ports_api import ApiUnitOfWorkFactory
from domain.webhooks import WebhookAttempt
from tests.conftest import BACKENDS, FixedClock, _async_url, _pg_admin, make_settings
from tests.fakes_api import FakeApiUnitOfWorkFactory

NOW = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.fixture(params=["fake", *BACKENDS])
async def uows(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[ApiUnitOfWorkFactory]:
    if request.param == "fake":
        yield FakeApiUnitOfWorkFactory()
        return
    name = None
    if request.param == "sqlite":
        shutil.copy(request.getfixturevalue("sqlite_template"), tmp_path / "crmbot.db")
        url = f"sqlite+aiosqlite:///{tmp_path / 'crmbot.db'}"
    else:
        template = request.getfixturevalue("pg_template")  # skips without CRMBOT_PG_URL
        name = f"crmbot_t_{uuid.uuid4().hex[:12]}"
        await _pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        url = _async_url(name)
    container = build(make_settings(url), clock=FixedClock(NOW))
    try:
        yield container.uow
    finally:
        await container.close()
        if name is not None:
            await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def seed(uows: ApiUnitOfWorkFactory) -> int:
    """Client C-1 with 5 activities (one undone) and 5 tasks; another client's work too."""
    async with uows() as uow:
        await uow.users.upsert_many([User("U1", "Ann")])
        await uow.clients.upsert_many(
            [Client("C-2", "Beta"), Client("C-1", "Acme"), Client("C-3", "Gamma")]
        )
        ids = await uow.clients.ids_for(["C-1", "C-2"])
        for i in range(5):
            at = NOW - DAY * (i // 2)  # pairs share a time: the id orders them
            for client in ("C-1", "C-2"):
                await uow.activities.add(
                    Activity(
                        ids[client], ActivityType.NOTE, f"{client} note {i}", at, "U1", Surface.API
                    )
                )
                await uow.tasks.add(
                    Task(f"{client} task {i}", "U1", at + DAY, client_id=ids[client])
                )
        undone = await uow.activities.add(
            Activity(ids["C-1"], ActivityType.NOTE, "undone", NOW, "U1", Surface.API)
        )
        assert undone.id is not None
        await uow.activities.undo(undone.id, now=NOW)
        await uow.commit()
    return ids["C-1"]


async def test_clients_page_by_external_id(uows: ApiUnitOfWorkFactory) -> None:
    await seed(uows)
    async with uows() as uow:
        first = await uow.listings.clients_page(after=None, limit=2)
        rest = await uow.listings.clients_page(after=first[-1].external_id, limit=2)
    assert [c.external_id for c in first] == ["C-1", "C-2"]
    assert [c.external_id for c in rest] == ["C-3"]


async def test_activities_newest_first_without_the_undone(uows: ApiUnitOfWorkFactory) -> None:
    client_id = await seed(uows)
    seen: list[str] = []
    before = None
    async with uows() as uow:
        while page := await uow.listings.activities_page(client_id, before=before, limit=2):
            seen += [a.notes for a in page]
            last = page[-1]
            assert last.id is not None
            before = (last.occurred_at, last.id)
    assert seen == [f"C-1 note {i}" for i in (1, 0, 3, 2, 4)]


async def test_tasks_by_due_time_and_status(uows: ApiUnitOfWorkFactory) -> None:
    client_id = await seed(uows)
    async with uows() as uow:
        every = await uow.listings.tasks_page(client_id, after=None, status=None, limit=10)
        assert [t.title for t in every] == [f"C-1 task {i}" for i in (4, 2, 3, 0, 1)]
        first = every[0]
        assert first.id is not None
        await uow.tasks.complete(first.id, now=NOW)
        after = (every[1].due_at, every[1].id or 0)
        later = await uow.listings.tasks_page(
            client_id, after=after, status=TaskStatus.OPEN, limit=2
        )
        done = await uow.listings.tasks_page(
            client_id, after=None, status=TaskStatus.DONE, limit=10
        )
    assert [t.title for t in later] == ["C-1 task 3", "C-1 task 0"]
    assert [(t.title, t.status) for t in done] == [("C-1 task 4", TaskStatus.DONE)]


async def test_webhook_attempts_are_kept_in_order(uows: ApiUnitOfWorkFactory) -> None:
    tries = [
        WebhookAttempt("k1", "erp", "task.completed", 1, NOW, "retry", 12, 500, "http_500"),
        WebhookAttempt("k1", "erp", "task.completed", 2, NOW + DAY, "delivered", 8, 200),
        WebhookAttempt("k2", "erp", "task.completed", 1, NOW, "rejected", 3, 410, "http_410"),
    ]
    async with uows() as uow:
        for attempt in tries:
            await uow.webhook_attempts.record(attempt)
    async with uows() as uow:
        assert await uow.webhook_attempts.for_delivery("k1") == []  # not committed
        for attempt in tries:
            await uow.webhook_attempts.record(attempt)
        await uow.commit()
    async with uows() as uow:
        found = await uow.webhook_attempts.for_delivery("k1")
    assert [(a.attempt, a.outcome, a.status_code, a.error) for a in found] == [
        (1, "retry", 500, "http_500"),
        (2, "delivered", 200, None),
    ]
    assert all(a.id is not None and a.attempted_at.tzinfo is not None for a in found)
