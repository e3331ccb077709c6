"""Engine and session factory: SQLite tuned for concurrent use, or PostgreSQL.

SQLite has one writer at a time. A writing transaction takes the write lock up front
(``BEGIN IMMEDIATE``) so it never fails half-way on a lock upgrade; but waiters for that
lock poll in SQLite's busy handler (sleeps of up to 100 ms, in no order) and give up
after the busy timeout. So within a process, writers first queue on a FIFO
``asyncio.Lock`` per engine and event loop (``WriteGate``) and reach ``BEGIN IMMEDIATE``
one at a time: no polling, no timeouts under a burst, first come first served. Other
processes (a CLI import next to ``serve``) still meet the busy timeout.

A unit of work opened ``read_only`` (``READ_ONLY`` execution option) begins a deferred
transaction on SQLite (a WAL reader: no lock, no gate) and may not write on any backend:
a write raises ``WriteNeeded`` before it reaches the database, so callers can run again as
a writer and nothing is silently rolled back.
"""

from __future__ import annotations

import asyncio
import sqlite3
import weakref
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.util import await_only
from sqlalchemy.util.concurrency import in_greenlet

from domain.ports import WriteNeeded

SQLITE_BUSY_TIMEOUT_MS = 10_000
GATE_TIMEOUT_S = 10.0  # as long as SQLite's busy timeout: then "database is locked"
READ_ONLY = "crmbot_read_only"
LOCKED_TOO_LONG = "database is locked (this process's other writers held it too long)"
_READS = (
    "SELECT",
    "WITH",
    "PRAGMA",
    "EXPLAIN",
    "BEGIN",
    "COMMIT",
    "ROLLBACK",
    "SAVEPOINT",
    "RELEASE",
)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    """Build the engine; on SQLite turn on WAL, foreign keys and a busy timeout."""
    if is_sqlite(url):
        engine = create_async_engine(
            url,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            # a pool, not a connection per unit of work: opening one (a thread, the file,
            # the pragmas) cost about as much as the unit's own work (BENCHMARKS.md)
            **({} if ":memory:" in url else {"pool_size": pool_size, "max_overflow": pool_size}),
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling defers BEGIN; emit it ourselves so that
        # a writer takes the lock up front (BEGIN IMMEDIATE) instead of failing on upgrade
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        for name in ("commit", "rollback"):
            event.listen(engine.sync_engine, name, _release_gate)
        event.listen(engine.sync_engine.pool, "checkin", _release_on_checkin)
        _watch_writes(engine)
        return engine
    engine = create_async_engine(
        url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True
    )
    _watch_writes(engine)
    return engine


def _watch_writes(engine: AsyncEngine) -> None:
    event.listen(engine.sync_engine, "before_cursor_execute", _refuse_writes, retval=False)


def _refuse_writes(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
    if conn.get_execution_options().get(READ_ONLY) and not _is_read(statement):
        raise WriteNeeded(statement.split(None, 1)[0] if statement.strip() else "?")


def _is_read(statement: str) -> bool:
    return statement.lstrip()[:9].upper().startswith(_READS)


class WriteGate:
    """The process's queue for SQLite's write lock (one per engine and event loop)."""

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.holder: asyncio.Task[Any] | None = None

    @classmethod
    def of(cls, pool: Any) -> WriteGate | None:
        """This loop's gate for the engine owning ``pool`` (an engine and its
        ``execution_options`` copies share one); None outside an event loop."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return None
        gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, WriteGate]
        gates = pool.__dict__.setdefault("_crmbot_gates", weakref.WeakKeyDictionary())
        gate = gates.get(loop)
        if gate is None:
            gate = gates[loop] = cls()
        return gate

    async def enter(self) -> bool:
        """Wait for our turn; False (no wait) when this task already holds it: a unit
        nested in another would wait for itself, so it meets SQLite's busy timeout instead."""
        me = asyncio.current_task()
        if self.lock.locked() and self.holder is me:
            return False
        try:
            await asyncio.wait_for(self.lock.acquire(), GATE_TIMEOUT_S)
        except TimeoutError:
            raise OperationalError(
                "BEGIN IMMEDIATE", None, sqlite3.OperationalError(LOCKED_TOO_LONG)
            ) from None
        self.holder = me
        return True

    def leave(self) -> None:
        self.holder = None
        self.lock.release()


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _sqlite_begin(conn: Any) -> None:
    if conn.get_execution_options().get(READ_ONLY):
        conn.exec_driver_sql("BEGIN")
        return
    gate = WriteGate.of(conn.engine.pool) if in_greenlet() else None
    if gate is not None and await_only(gate.enter()):
        conn.info["crmbot_gate"] = gate
    try:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        _release(conn.info)
        raise


def _release_gate(conn: Any) -> None:
    _release(conn.info)


def _release_on_checkin(_dbapi_conn: Any, record: Any) -> None:
    """A connection given back without its COMMIT or ROLLBACK event (invalidated, a
    cancelled task): its turn at the gate must not be kept for ever."""
    if record is not None:
        _release(record.info)


def _release(info: dict[str, Any]) -> None:
    gate = info.pop("crmbot_gate", None)
    if gate is not None:
        gate.leave()


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
