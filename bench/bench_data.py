"""Bulk-load simulated clients and orders for the scoring benchmark, fast; and the
benchmark's PostgreSQL database (temporary, or kept between runs).

SQLite: one transaction of ``executemany`` on the raw driver. PostgreSQL: ``COPY`` through
asyncpg. The schema is the real one (migrated first); the orders come from
``domain.scores.simulate`` so that the benchmark scores data with a believable shape.
"""

from __future__ import annotations

import io
import sqlite3
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import asyncpg
import numpy as np
from sqlalchemy.engine import make_url

from domain.scores.arrays import OrderArrays
from domain.scores.simulate import Population, simulate

HISTORY_DAYS = 3 * 365
BENCH_POPULATION = Population(r=3.0, alpha=30.0, a=0.3, b=10.0)
CHUNK = 200_000


def make_orders(clients: int, orders: int, seed: int) -> OrderArrays:
    """About ``orders`` simulated orders over ``HISTORY_DAYS``; rates are scaled to hit it."""
    pop = BENCH_POPULATION
    scale = orders / (clients * 47.0)  # the population above gives ~47 orders a client
    pop = Population(**{**pop.__dict__, "alpha": pop.alpha / scale})
    sim, _ = simulate(clients, days=HISTORY_DAYS, acquire_until=2 * 365, seed=seed, population=pop)
    return sim


def timestamps(day: np.ndarray, origin: datetime) -> np.ndarray:
    """'YYYY-MM-DD HH:MM:SS.ffffff' strings, the way SQLAlchemy stores datetimes in SQLite."""
    base = np.datetime64(origin.replace(tzinfo=None), "us")
    moments = base + (day * 86_400e6).astype("timedelta64[us]")
    text = np.datetime_as_string(moments, unit="us").astype("S26")
    raw = text.view(np.uint8).reshape(-1, 26).copy()
    raw[:, 10] = ord(" ")
    return raw.view("S26").ravel()


def _client_rows(clients: int, origin: datetime) -> Iterator[tuple[object, ...]]:
    created = (origin - timedelta(days=30)).strftime("%Y-%m-%d %H:%M:%S.%f")
    for i in range(1, clients + 1):
        yield (i, f"B{i:07d}", f"Bench client {i}", f"bench client {i}", "[]", 0, created,
               created, 500.0)  # fmt: skip


def _order_rows(
    sim: OrderArrays, origin: datetime, start: int, stop: int
) -> Iterator[tuple[object, ...]]:
    ids = range(start + 1, stop + 1)
    stamps = timestamps(sim.day[start:stop], origin).astype(str).tolist()
    clients = (sim.client[start:stop] + 1).tolist()
    amounts = sim.amount[start:stop].tolist()
    costs = sim.cost[start:stop].tolist()
    for i, c, t, a, k in zip(ids, clients, stamps, amounts, costs, strict=True):
        yield i, f"O{i:09d}", c, t, a, k


def load_sqlite(path: str, clients: int, sim: OrderArrays, origin: datetime) -> None:
    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute("PRAGMA synchronous=OFF")
        con.execute("BEGIN")
        con.executemany(
            "INSERT INTO clients (id, external_id, name, name_key, tags, placeholder,"
            " created_at, updated_at, acquisition_cost) VALUES (?,?,?,?,?,?,?,?,?)",
            _client_rows(clients, origin),
        )
        for start in range(0, sim.client.size, CHUNK):
            stop = min(start + CHUNK, sim.client.size)
            con.executemany(
                "INSERT INTO orders (id, external_id, client_id, ordered_at, amount, cost)"
                " VALUES (?,?,?,?,?,?)",
                _order_rows(sim, origin, start, stop),
            )
        con.execute("COMMIT")
        con.execute("ANALYZE")
    finally:
        con.close()


CLIENT_COLUMNS = [
    "id", "external_id", "name", "name_key", "tags", "placeholder", "created_at",
    "updated_at", "acquisition_cost",
]  # fmt: skip


async def load_postgres(dsn: str, clients: int, sim: OrderArrays, origin: datetime) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        created = origin - timedelta(days=30)
        records = [
            (i, f"B{i:07d}", f"Bench client {i}", f"bench client {i}", "[]", False, created,
             created, Decimal(500))
            for i in range(1, clients + 1)
        ]  # fmt: skip
        await conn.copy_records_to_table("clients", records=records, columns=CLIENT_COLUMNS)
        for start in range(0, sim.client.size, CHUNK):
            await conn.copy_to_table(
                "orders",
                source=_orders_csv(sim, origin, start, min(start + CHUNK, sim.client.size)),
                columns=["id", "external_id", "client_id", "ordered_at", "amount", "cost"],
                format="csv",
            )
        await conn.execute("VACUUM ANALYZE orders")
        await conn.execute("VACUUM ANALYZE clients")
    finally:
        await conn.close()


def _orders_csv(sim: OrderArrays, origin: datetime, start: int, stop: int) -> io.BytesIO:
    buffer = io.BytesIO()
    for i, xid, client, stamp, amount, cost in _order_rows(sim, origin, start, stop):
        buffer.write(f"{i},{xid},{client},{stamp}+00,{amount:.2f},{cost:.2f}\n".encode())
    buffer.seek(0)
    return buffer


def origin_for(as_of: datetime) -> datetime:
    return (as_of - timedelta(days=HISTORY_DAYS)).astimezone(UTC)


async def on_postgres(
    server: str,
    load: Callable[[str, str], Awaitable[None]],
    body: Callable[[str, str], Awaitable[None]],
    *,
    keep: str | None,
    key: str,
) -> None:
    """``load`` then ``body`` in a temporary database (``keep``: that one, kept, and not
    loaded again when it holds ``key``'s data)."""
    name = keep or f"crmbot_bench_{uuid.uuid4().hex[:10]}"
    admin_dsn = make_url(server).set(drivername="postgresql").render_as_string(False)
    admin = await asyncpg.connect(admin_dsn)
    try:
        url = make_url(server).set(database=name)
        dsn = url.set(drivername="postgresql").render_as_string(False)
        cached = keep is not None and await _pg_holds(admin, dsn, name, key)
        if not cached:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            if not cached:
                await load(url.render_as_string(False), dsn)
                await _pg_mark(dsn, key)
            await body(url.render_as_string(False), dsn)
        finally:
            if keep is None:
                await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def _pg_holds(admin: asyncpg.Connection, dsn: str, name: str, key: str) -> bool:
    if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
        return False
    conn = await asyncpg.connect(dsn)
    try:
        if not await conn.fetchval("SELECT to_regclass('bench_data_key') IS NOT NULL"):
            return False
        return bool(await conn.fetchval("SELECT key = $1 FROM bench_data_key", key))
    finally:
        await conn.close()


async def _pg_mark(dsn: str, key: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("CREATE TABLE bench_data_key (key text)")
        await conn.execute("INSERT INTO bench_data_key VALUES ($1)", key)
    finally:
        await conn.close()
