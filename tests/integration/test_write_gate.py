"""The write gate and read-only units of work (storage/db.py, storage/uow.py).

A burst of writers in one process must all get through SQLite's single write lock in
arrival order without meeting the busy timeout; a read-only unit must refuse to write on
every backend (so nothing is silently rolled back) and, on SQLite, read beside a writer.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from domain.ports import WriteNeeded
from storage.db import WriteGate, create_engine, session_factory
from storage.uow import SqlUnitOfWorkFactory

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
async def uows(database_url: str) -> AsyncIterator[SqlUnitOfWorkFactory]:
    engine = create_engine(database_url)
    yield SqlUnitOfWorkFactory(session_factory(engine))
    await engine.dispose()


async def _keys(uows: SqlUnitOfWorkFactory) -> list[str]:
    async with uows(read_only=True) as uow:
        rows = await uow.session.execute(text("SELECT key FROM processed_requests ORDER BY key"))
        return [r[0] for r in rows]


async def test_a_burst_of_writers_all_commit(uows: SqlUnitOfWorkFactory) -> None:
    order: list[int] = []

    async def write(i: int) -> None:
        async with uows() as uow:
            await uow.requests.first_time(f"k{i:03d}", now=NOW)
            await asyncio.sleep(0)  # hold the lock across an await, as real units do
            order.append(i)
            await uow.commit()

    await asyncio.gather(*(write(i) for i in range(60)))

    assert await _keys(uows) == [f"k{i:03d}" for i in range(60)]
    assert sorted(order) == list(range(60))


async def test_writers_wait_at_the_gate_not_in_sqlites_busy_handler(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With SQLite's busy timeout at 50 ms, a writer waiting 300 ms behind another still
    gets through: it waited in the process's queue, not in SQLite's busy handler."""
    monkeypatch.setattr("storage.db.SQLITE_BUSY_TIMEOUT_MS", 50)
    engine = create_engine(sqlite_url)
    uows = SqlUnitOfWorkFactory(session_factory(engine))
    first_in = asyncio.Event()

    async def write(key: str, hold: float) -> None:
        async with uows() as uow:
            await uow.requests.first_time(key, now=NOW)
            first_in.set()
            await asyncio.sleep(hold)
            await uow.commit()

    first = asyncio.create_task(write("slow", 0.3))
    await first_in.wait()
    await asyncio.gather(first, write("waiting", 0))
    assert await _keys(uows) == ["slow", "waiting"]
    await engine.dispose()


async def test_the_gate_gives_up_like_sqlite_does(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("storage.db.GATE_TIMEOUT_S", 0.05)
    engine = create_engine(sqlite_url)
    uows = SqlUnitOfWorkFactory(session_factory(engine))
    async with uows() as holder:
        await holder.requests.first_time("held", now=NOW)
        blocked = asyncio.create_task(_write_one(uows, "blocked"))
        with pytest.raises(OperationalError, match="database is locked"):
            await blocked
        await holder.commit()
    assert await _keys(uows) == ["held"]
    await engine.dispose()


async def _write_one(uows: SqlUnitOfWorkFactory, key: str) -> None:
    async with uows() as uow:
        await uow.requests.first_time(key, now=NOW)
        await uow.commit()


async def test_a_read_only_unit_refuses_to_write(uows: SqlUnitOfWorkFactory) -> None:
    async with uows(read_only=True) as uow:
        with pytest.raises(WriteNeeded):
            await uow.requests.first_time("nope", now=NOW)

    assert await _keys(uows) == []


async def test_a_reader_reads_while_a_writer_holds_the_lock(
    uows: SqlUnitOfWorkFactory,
) -> None:
    async with uows() as setup:
        await setup.requests.first_time("before", now=NOW)
        await setup.commit()
    async with uows() as writer:
        await writer.requests.first_time("during", now=NOW)  # the write lock is held here
        seen = await asyncio.wait_for(_keys(uows), timeout=5)
        await writer.commit()

    assert seen == ["before"]
    assert await _keys(uows) == ["before", "during"]


async def test_a_unit_nested_in_a_writer_does_not_wait_for_itself(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Waiting at the gate held by one's own task would never end; it meets SQLite's own
    busy timeout instead (here shortened), an error rather than a hang."""
    monkeypatch.setattr("storage.db.SQLITE_BUSY_TIMEOUT_MS", 50)
    engine = create_engine(sqlite_url)
    uows = SqlUnitOfWorkFactory(session_factory(engine))
    async with uows() as outer:
        await outer.requests.first_time("outer", now=NOW)
        with pytest.raises(OperationalError, match="locked"):
            async with uows() as inner:
                await inner.requests.first_time("inner", now=NOW)
        await outer.commit()
    await engine.dispose()
    assert await _keys(SqlUnitOfWorkFactory(session_factory(create_engine(sqlite_url)))) == [
        "outer"
    ]


async def test_the_gate_is_given_back_when_a_unit_fails(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    uows = SqlUnitOfWorkFactory(session_factory(engine))
    with pytest.raises(RuntimeError):
        async with uows() as uow:
            await uow.requests.first_time("failed", now=NOW)
            raise RuntimeError("a bug half-way")
    gate = WriteGate.of(engine.sync_engine.pool)
    assert gate is not None and not gate.lock.locked()
    async with uows() as uow:
        assert await uow.requests.first_time("next", now=NOW)
        await uow.commit()
    await engine.dispose()
