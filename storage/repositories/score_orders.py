"""Every order dated on or before a cut, as arrays, without the ORM or Python rows.

Orders are the bulk of scoring's reads (millions of rows):

- PostgreSQL streams ``COPY … TO STDOUT (FORMAT binary)`` through asyncpg, and numpy reads
  the fixed-width tuples in place;
- SQLite concatenates each client's orders in one ``group_concat`` (timestamps as the
  fixed-width text SQLAlchemy stores, money as whole cents), handed over as BLOBs and
  parsed by numpy in bulk, a batch of clients at a time.

Times come back as days since the Unix epoch; clients as their database ids.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy.ext.asyncio import AsyncSession

from domain.scores.arrays import OrderArrays

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]
STAMP = 26  # "YYYY-MM-DD HH:MM:SS.ffffff"
# client_id int4, epoch float8, amount float8, cost float8: each field has a 4-byte length
PG_TUPLE = np.dtype(
    [("n", ">i2"), ("l0", ">i4"), ("client", ">i4"), ("l1", ">i4"), ("day", ">f8"),
     ("l2", ">i4"), ("amount", ">f8"), ("l3", ">i4"), ("cost", ">f8")]
)  # fmt: skip
PG_ORDERS = (
    "SELECT client_id, extract(epoch FROM ordered_at)::float8 / 86400.0,"
    " amount::float8, coalesce(cost::float8, 'NaN'::float8) FROM orders"
    " WHERE ordered_at <= $1"
)
SQLITE_BATCH = 10_000  # clients per fetch
PG_STREAM_BATCH = 16 * 2**20  # bytes of COPY data parsed at a time
_FIELDS = ("client", "day", "amount", "cost")
NO_COST = -(2**62)  # cents standing for a missing cost: integers parse 4× faster than floats
# BLOBs: the driver hands them over as bytes, without decoding text
SQLITE_ORDERS = (
    "SELECT client_id, count(*), CAST(group_concat(ordered_at, '') AS BLOB),"
    " CAST(group_concat(CAST(round(amount * 100) AS INTEGER)) AS BLOB),"
    f" CAST(group_concat(ifnull(CAST(round(cost * 100) AS INTEGER), {NO_COST})) AS BLOB)"
    " FROM orders WHERE ordered_at <= ? GROUP BY client_id"
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
        found = await _sqlite_orders(raw, cut)
    else:
        found = await _pg_orders(raw, cut)
    return _sorted(found)


async def _pg_orders(driver: Any, cut: datetime) -> OrderArrays:
    reader = _BinaryTuples()
    await driver.copy_from_query(PG_ORDERS, cut, output=reader, format="binary")
    return reader.result()


class _BinaryTuples:
    """Parses the COPY stream as it arrives, so the whole stream is never held at once:
    the 19-byte header (plus extension) first, then fixed-width tuples, then a 2-byte end."""

    def __init__(self) -> None:
        self.pending = bytearray()
        self.header: int | None = None
        self.parts: list[OrderArrays] = []

    async def __call__(self, chunk: bytes) -> None:
        self.pending += chunk
        if self.header is None:
            if len(self.pending) < 19:
                return
            self.header = 19 + int.from_bytes(self.pending[15:19], "big")
            del self.pending[: self.header]
        if len(self.pending) >= PG_STREAM_BATCH:
            self._parse()

    def _parse(self) -> None:
        count = len(self.pending) // PG_TUPLE.itemsize
        rows = np.frombuffer(bytes(self.pending[: count * PG_TUPLE.itemsize]), dtype=PG_TUPLE)
        del self.pending[: count * PG_TUPLE.itemsize]
        self.parts.append(OrderArrays(
            rows["client"].astype(np.int64), rows["day"].astype(np.float64),
            rows["amount"].astype(np.float64), rows["cost"].astype(np.float64),
        ))  # fmt: skip

    def result(self) -> OrderArrays:
        self._parse()
        if bytes(self.pending) != b"\xff\xff":
            raise ValueError("the COPY stream did not end where its tuples said it would")
        return _concatenate(self.parts)


async def _sqlite_orders(driver: Any, cut: datetime) -> OrderArrays:
    """Clients' orders a batch of clients at a time, parsed as they come (less memory): the
    next batch is already being read (SQLite runs in the driver's thread, without the GIL)
    while this one is parsed."""
    parts: list[OrderArrays] = []
    async with driver.execute(SQLITE_ORDERS, (sqlite_stamp(cut),)) as cursor:
        ahead = asyncio.ensure_future(cursor.fetchmany(SQLITE_BATCH))
        while rows := await ahead:
            ahead = asyncio.ensure_future(cursor.fetchmany(SQLITE_BATCH))
            part = _sqlite_batch(rows)
            if part is None:  # a timestamp not in SQLAlchemy's format: the slow way
                await ahead
                return await _sqlite_order_rows(driver, cut)
            parts.append(part)
    return _concatenate(parts) if parts else _empty()


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


def _concatenate(parts: list[OrderArrays]) -> OrderArrays:
    return OrderArrays(*(np.concatenate([getattr(p, f) for p in parts]) for f in _FIELDS))


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
