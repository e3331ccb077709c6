"""The migrated schema on each backend: pragmas, constraints, append-only audit."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from bot.bootstrap import Container
from domain.model import AuditEntry, Surface
from storage.db import create_engine


async def test_sqlite_pragmas(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    async with engine.connect() as conn:
        assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar() == 1
        assert (await conn.execute(text("PRAGMA busy_timeout"))).scalar() == 10_000
    await engine.dispose()


async def test_foreign_keys_enforced(container: Container) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    async with container.engine.begin() as conn:
        with pytest.raises(IntegrityError):
            await conn.execute(
                text(
                    "INSERT INTO orders (external_id, client_id, ordered_at, amount) "
                    "VALUES ('O1', 999, :at, 10)"
                ),
                {"at": now},
            )


async def test_audit_log_is_append_only(container: Container) -> None:
    async with container.uow() as uow:
        await uow.audit.add(
            AuditEntry(
                actor="U1",
                surface=Surface.CLI,
                action="created",
                entity_type="client",
                entity_id="C1",
                at=datetime(2026, 1, 1, tzinfo=UTC),
            )
        )
        await uow.commit()
    for statement in ("UPDATE audit_log SET actor = 'someone else'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"):
            async with container.engine.begin() as conn:
                await conn.execute(text(statement))
    async with container.uow() as uow:
        entries = await uow.audit.list()
    assert [e.actor for e in entries] == ["U1"]
