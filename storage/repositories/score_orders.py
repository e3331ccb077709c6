"""Every order dated on or before a cut, as arrays, without the ORM or Python rows.

Orders are the bulk of scoring's reads (millions of rows):

- PostgreSQL streams ``COPY … TO STDOUT (FORMAT binary)`` of the stored columns through
  asyncpg, parsed by numpy in a worker thread (``score_orders_pg``, ``score_pg_tuples``);
- SQLite concatenates each client's orders in one ``group_concat`` (timestamps as the
  fixed-width text SQLAlchemy stores, money as whole cents), handed over as BLOBs and
  parsed by numpy in bulk, a batch of clients at a time, two ranges of clients read at
  once by two connections.

Times come back as days since the Unix epoch; clients as their database ids.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any

import aiosqlite
import numpy as np
from numpy.typing import NDArray
from sqlalchemy.ext.asyncio import AsyncSession

from domain.scores.arrays import OrderArrays
from storage.repositories.score_orders_pg import concatenate, pg_orders

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]
STAMP = 26  # "YYYY-MM-DD HH:MM:SS.ffffff"
SQLITE_BATCH = 5_000  # clients per fetch
SQLITE_READERS = 2  # connections reading at once
SPLIT_ROWS = 200_000  # orders (at most) below which one connection reads them all
# one min() or max() per SELECT: SQLite reads those off the index ends; together in one
# SELECT they cost a scan of the whole index
ID_BOUNDS = (
    "SELECT (SELECT min(client_id) FROM orders), (SELECT max(client_id) FROM orders),"
    " (SELECT max(id) FROM orders)"
)
NO_COST = -(2**62)  # cents standing for a missing cost: integers parse 4× faster than floats
# BLOBs: the driver hands them over as bytes, without decoding text
SQLITE_ORDERS = (
    "SELECT client_id, count(*), CAST(group_concat(ordered_at, '') AS BLOB),"
    " CAST(group_concat(CAST(round(amount * 100) AS INTEGER)) AS BLOB),"
    f" CAST(group_concat(ifnull(CAST(round(cost * 100) AS INTEGER), {NO_COST})) AS BLOB)"
    " FROM orders WHERE ordered_at <= ? AND client_id BETWEEN ? AND ? GROUP BY client_id"
)
SQLITE_ORDER_ROWS = (
    "SELECT client_id, julianday(ordered_at) - 2440587.5, amount, cost FROM orders"
    " WHERE ordered_at <= ?"
)


def sqlite_stamp(moment: datetime) -> str:
    """A moment as SQLAlchemy writes it in SQLite (naive UTC), for raw comparisons."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


async def order_arrays(session: AsyncSession, cut: datetime) -> OrderArrays:
    """Every order dated on or before ``cut`` (client is the client's database id),
    sorted by client and date."""
    conn = await session.connection()
    raw = (await conn.get_raw_connection()).driver_connection
    if conn.dialect.name == "sqlite":
        url = conn.engine.url
        plain_file = url.database not in (None, "", ":memory:") and not url.query
        found = await _sqlite_orders(raw, cut, url.database if plain_file else None)
    else:
        found = await pg_orders(raw, cut)
    return _sorted(found)


async def _sqlite_orders(driver: Any, cut: datetime, path: str | None) -> OrderArrays:
    """The clients split in ``SQLITE_READERS`` ranges of ids (one range without a plain
    database ``path``: in memory, or a URI), each read by its own connection (SQLite runs
    in each driver's thread, without the GIL) and parsed here as the batches arrive. The
    extra readers see what the session sees: the session began with BEGIN IMMEDIATE, so
    nothing can be committed until it ends."""
    bounds = await _id_ranges(driver, SQLITE_READERS if path else 1)
    extra = [await aiosqlite.connect(path or "") for _ in bounds[1:]]
    try:
        found = await asyncio.gather(*(
            _sqlite_range(reader, cut, low, high)
            for reader, (low, high) in zip([driver, *extra], bounds, strict=True)
        ))  # fmt: skip
    finally:
        for reader in extra:
            await reader.close()
    if any(part is None for part in found):  # a timestamp not in SQLAlchemy's format
        return await _sqlite_order_rows(driver, cut)
    return concatenate([p for parts in found if parts for p in parts])


async def _id_ranges(driver: Any, count: int) -> list[tuple[int, int]]:
    """``count`` ranges of client ids covering the orders', of about equal width; one range
    for fewer than ``SPLIT_ROWS`` orders (by the highest order id: a bound, read at once)."""
    async with driver.execute(ID_BOUNDS) as cursor:
        low, high, top = await cursor.fetchone()
    if low is None or count == 1 or top < SPLIT_ROWS:
        return [(-(2**63), 2**63 - 1)]
    edges = np.linspace(int(low), int(high) + 1, count + 1).astype(np.int64).tolist()
    return [(a, b - 1) for a, b in pairwise(edges)]


async def _sqlite_range(
    driver: Any, cut: datetime, low: int, high: int
) -> list[OrderArrays] | None:
    """One range of clients' orders, a batch of clients at a time; the next batch is
    already being read while this one is parsed. None: a timestamp it cannot parse."""
    parts: list[OrderArrays] = []
    async with driver.execute(SQLITE_ORDERS, (sqlite_stamp(cut), low, high)) as cursor:
        ahead = asyncio.ensure_future(cursor.fetchmany(SQLITE_BATCH))
        while rows := await ahead:
            ahead = asyncio.ensure_future(cursor.fetchmany(SQLITE_BATCH))
            part = _sqlite_batch(rows)
            if part is None:
                await ahead
                return None
            parts.append(part)
    return parts


def _sqlite_batch(rows: list[tuple[Any, ...]]) -> OrderArrays | None:
    ids, counts, stamps, cents, costs = zip(*rows, strict=True)
    blob = b"".join(stamps)
    if len(blob) != STAMP * int(sum(counts)):
        return None
    return OrderArrays(
        np.repeat(np.array(ids, dtype=np.int64), np.array(counts, dtype=np.int64)),
        parse_stamps(blob),
        np.fromstring(b",".join(cents), dtype=np.int64, sep=",") / 100.0,
        _costs(np.fromstring(b",".join(costs), dtype=np.int64, sep=",")),
    )


def _costs(cents: Ints) -> Floats:
    return np.where(cents == NO_COST, np.nan, cents / 100.0)


async def _sqlite_order_rows(driver: Any, cut: datetime) -> OrderArrays:
    async with driver.execute(SQLITE_ORDER_ROWS, (sqlite_stamp(cut),)) as cursor:
        rows = await cursor.fetchall()
    if not rows:
        return _empty()
    table = np.array([(c, d, a, np.nan if k is None else k) for c, d, a, k in rows])
    return OrderArrays(table[:, 0].astype(np.int64), table[:, 1], table[:, 2], table[:, 3])


def parse_stamps(blob: bytes) -> Floats:
    """Fixed-width 'YYYY-MM-DD HH:MM:SS.ffffff' texts to days since the epoch, in bulk."""
    moments = np.frombuffer(blob, dtype=f"S{STAMP}").astype("datetime64[us]")
    return np.asarray(moments.astype(np.int64) / 86_400e6, dtype=np.float64)


def _sorted(orders: OrderArrays) -> OrderArrays:
    c, d = orders.client, orders.day
    if c.size < 2 or np.all((c[1:] > c[:-1]) | ((c[1:] == c[:-1]) & (d[1:] >= d[:-1]))):
        return orders
    order = np.lexsort((d, c))
    return OrderArrays(c[order], d[order], orders.amount[order], orders.cost[order])


def _empty() -> OrderArrays:
    none = np.zeros(0)
    return OrderArrays(np.zeros(0, dtype=np.int64), none, none, none)
