"""A database made by the previous release upgrades to this one without losing a row.

The previous release's schema is migration 0005 (the first release: foundation, chat,
REST API, scores). Rows are written as that release wrote them, with the columns it had,
then ``crmbot db upgrade`` runs every later migration and the repositories of this
release read them back.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from bot.bootstrap import build
from bot.cli import main
from domain.model import QuoteStatus, TaskStatus
from storage.base import UTCDateTime
from storage.migrate import upgrade_async
from tests.conftest import BACKENDS, FixedClock, _async_url, _pg_admin, make_settings

PREVIOUS_RELEASE = "0005"
THEN = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


T, J, M = UTCDateTime(), sa.JSON(), sa.Numeric(14, 2)


def _table(name: str, *columns: str, **typed: Any) -> sa.TableClause:
    return sa.table(
        name, *(sa.column(c) for c in columns), *(sa.column(c, k) for c, k in typed.items())
    )


USERS = _table("users", "id", "slack_user_id", "name", "role", "manager_id",
               created_at=T, updated_at=T)  # fmt: skip
CLIENTS = _table("clients", "id", "external_id", "name", "name_key", "owner_id", "placeholder",
                 tags=J, credit_limit=M, created_at=T, updated_at=T)  # fmt: skip
ORDERS = _table("orders", "id", "external_id", "client_id", amount=M, ordered_at=T)
QUOTES = _table("quotes", "id", "external_id", "client_id", "requested_by_id",
                "currency", "status", "version", "current_level",
                total=M, discount_pct=sa.Numeric(5, 2), created_at=T, updated_at=T)  # fmt: skip
TASKS = _table("tasks", "id", "client_id", "assignee_id", "title", "status", "origin",
               "version", due_at=T, created_at=T)  # fmt: skip
ACTIVITIES = _table("activities", "id", "client_id", "type", "notes", "author_id", "source",
                    occurred_at=T, created_at=T)  # fmt: skip
AUDIT = _table("audit_log", "id", "actor", "surface", "action", "entity_type", "entity_id",
               details=J, at=T)  # fmt: skip


@pytest.fixture(params=BACKENDS)
async def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A database with no schema at all (not a copy of the migrated template)."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
        return
    request.getfixturevalue("pg_template")  # skips without CRMBOT_PG_URL
    name = f"crmbot_up_{uuid.uuid4().hex[:12]}"
    await _pg_admin(f'CREATE DATABASE "{name}"')
    try:
        yield _async_url(name)
    finally:
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _write_previous_release_rows(url: str) -> None:
    stamps = {"created_at": THEN, "updated_at": THEN}
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(sa.insert(USERS), [
                {"id": 1, "slack_user_id": "U0MGR", "name": "Mia", "role": "manager",
                 "manager_id": None, **stamps},
                {"id": 2, "slack_user_id": "U0REP", "name": "Rob", "role": "rep",
                 "manager_id": 1, **stamps},
            ])  # fmt: skip
            await conn.execute(sa.insert(CLIENTS), [
                {"id": 1, "external_id": "C1", "name": "Acme", "name_key": "acme",
                 "owner_id": 2, "tags": ["vip"], "placeholder": False,
                 "credit_limit": Decimal("20000.00"), **stamps},
            ])  # fmt: skip
            await conn.execute(sa.insert(ORDERS), [
                {"id": i, "external_id": f"O{i}", "client_id": 1,
                 "amount": Decimal("1250.50"), "ordered_at": THEN - timedelta(days=20 * i)}
                for i in range(1, 6)
            ])  # fmt: skip
            await conn.execute(sa.insert(QUOTES), [
                {"id": 1, "external_id": "Q1", "client_id": 1, "requested_by_id": 2,
                 "total": Decimal("12000.00"), "discount_pct": Decimal("5.00"),
                 "currency": "EUR", "status": "pending_approval", "version": 1,
                 "current_level": 0, **stamps},
            ])  # fmt: skip
            await conn.execute(sa.insert(TASKS), [
                {"id": 1, "client_id": 1, "assignee_id": 2, "title": "Call back",
                 "status": "open", "origin": "manual", "version": 1,
                 "due_at": THEN + timedelta(days=30), "created_at": THEN},
            ])  # fmt: skip
            await conn.execute(sa.insert(ACTIVITIES), [
                {"id": 1, "client_id": 1, "type": "call", "notes": "Asked for a quote",
                 "author_id": 2, "source": "slash", "occurred_at": THEN, "created_at": THEN},
            ])  # fmt: skip
            await conn.execute(sa.insert(AUDIT), [
                {"id": 1, "actor": "U0REP", "surface": "slash", "action": "activity.logged",
                 "entity_type": "activity", "entity_id": "1", "details": {}, "at": THEN},
            ])  # fmt: skip
    finally:
        await engine.dispose()


async def test_previous_release_database_upgrades_without_loss(
    empty_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    await upgrade_async(empty_url, PREVIOUS_RELEASE)
    await _write_previous_release_rows(empty_url)

    monkeypatch.setenv("DATABASE_URL", empty_url)
    monkeypatch.setenv("CRMBOT_DEFAULT_TZ", "UTC")
    assert await asyncio.to_thread(main, ["db", "upgrade"]) == 0

    container = build(make_settings(empty_url), clock=FixedClock(THEN + timedelta(days=1)))
    try:
        async with container.uow() as uow:
            rep = await uow.users.get("U0REP")
            assert rep is not None and rep.manager_slack_user_id == "U0MGR"
            client = await uow.clients.get("C1")
            assert client is not None
            assert (client.name, client.owner_slack_user_id, client.tags) == (
                "Acme",
                "U0REP",
                ["vip"],
            )
            assert client.credit_limit == Decimal("20000.00")
            orders = await uow.orders.for_client("C1")
            assert sorted(o.external_id for o in orders) == [f"O{i}" for i in range(1, 6)]
            assert {o.amount for o in orders} == {Decimal("1250.50")}
            quote = await uow.quotes.get("Q1")
            assert quote is not None
            assert (quote.status, quote.version, quote.total, quote.currency) == (
                QuoteStatus.PENDING,
                1,
                Decimal("12000.00"),
                "EUR",
            )
            tasks = await uow.tasks.open_for("U0REP")
            assert [(t.title, t.status) for t in tasks] == [("Call back", TaskStatus.OPEN)]
            assert tasks[0].due_at == THEN + timedelta(days=30)
            activity = await uow.activities.get(1)
            assert activity is not None and activity.notes == "Asked for a quote"
            entries = await uow.audit.list()
            assert [e.action for e in entries][:1] == ["activity.logged"]
    finally:
        await container.close()
