"""Every order dated on or before a cut, from PostgreSQL, as arrays: binary ``COPY`` streams.

First the columns as stored (``score_pg_tuples``), parsed in a worker thread while the next
part of the stream arrives (numpy releases the GIL, so parsing overlaps the server's scan
and the socket reads); if that stream cannot be parsed, the orders again with the server
converting every value (``PG_ORDERS``: fixed-width tuples, about twice the server's work).
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

import numpy as np

from domain.scores.arrays import OrderArrays
from storage.repositories.score_pg_tuples import RAW_ORDERS, parse

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
PG_STREAM_BATCH = 8 * 2**20  # bytes of COPY data parsed at a time
IN_FLIGHT = 3  # batches waiting for the parser before the stream is paused
_FIELDS = ("client", "day", "amount", "cost")
logger = logging.getLogger(__name__)


async def pg_orders(driver: Any, cut: datetime) -> OrderArrays:
    """Orders dated on or before ``cut`` in the stream's order (not sorted)."""
    with ThreadPoolExecutor(1, thread_name_prefix="crmbot-copy") as parser:
        raw = _RawStream(parser)
        await driver.copy_from_query(RAW_ORDERS, cut, output=raw, format="binary")
        found = await raw.result()
    if found is not None:
        return found
    converted = _ConvertedStream()
    await driver.copy_from_query(PG_ORDERS, cut, output=converted, format="binary")
    return converted.result()


def concatenate(parts: list[OrderArrays]) -> OrderArrays:
    if not parts:
        none = np.zeros(0)
        return OrderArrays(np.zeros(0, dtype=np.int64), none, none, none)
    return OrderArrays(*(np.concatenate([getattr(p, f) for p in parts]) for f in _FIELDS))


class _Stream:
    """Collects a binary COPY stream, its 19-byte header (plus extension) taken off, and
    hands it on in batches of at least ``PG_STREAM_BATCH`` bytes."""

    def __init__(self) -> None:
        self.head = bytearray()
        self.header: int | None = None
        self.chunks: list[bytes] = []
        self.size = 0

    async def __call__(self, chunk: bytes) -> None:
        if self.header is None:
            self.head += chunk
            if len(self.head) < 19:
                return
            self.header = 19 + int.from_bytes(self.head[15:19], "big")
            chunk = bytes(self.head[self.header :])
        self.chunks.append(chunk)
        self.size += len(chunk)
        if self.size >= PG_STREAM_BATCH:
            await self.batch(self._take(), final=False)

    def _take(self) -> bytes:
        data = b"".join(self.chunks)
        self.chunks, self.size = [], 0
        return data

    async def batch(self, data: bytes, *, final: bool) -> None:
        raise NotImplementedError


class _RawStream(_Stream):
    """The stored columns, parsed in order by a one-thread ``parser``; the first batch that
    cannot be parsed stops the parsing (the rest of the stream is dropped)."""

    def __init__(self, parser: ThreadPoolExecutor) -> None:
        super().__init__()
        self.parser = parser
        self.waiting: deque[asyncio.Future[None]] = deque()
        self.rest = b""
        self.parts: list[OrderArrays] = []
        self.failed = False

    async def batch(self, data: bytes, *, final: bool) -> None:
        job = self.parser.submit(self._parse, data, final)
        self.waiting.append(asyncio.wrap_future(job))
        while len(self.waiting) > IN_FLIGHT:
            await self.waiting.popleft()

    def _parse(self, data: bytes, final: bool) -> None:  # in the parser thread, in order
        if self.failed:
            return
        data = self.rest + data
        try:
            found = parse(data, final=final)
        except (ValueError, IndexError, OverflowError):  # a stream this parser misreads
            logger.warning("orders: the raw COPY stream did not parse; reading with casts")
            found = None
        if found is None:
            self.failed, self.rest = True, b""
            return
        self.parts.append(found[0])
        self.rest = data[found[1] :]

    async def result(self) -> OrderArrays | None:
        await self.batch(self._take(), final=True)
        while self.waiting:
            await self.waiting.popleft()
        return None if self.failed else concatenate(self.parts)


class _ConvertedStream(_Stream):
    """The converted columns: fixed-width tuples, then the 2-byte trailer."""

    def __init__(self) -> None:
        super().__init__()
        self.rest = b""
        self.parts: list[OrderArrays] = []

    async def batch(self, data: bytes, *, final: bool) -> None:
        data = self.rest + data
        count = len(data) // PG_TUPLE.itemsize
        self.parts.append(_tuples(data, count))
        self.rest = data[count * PG_TUPLE.itemsize :]

    def result(self) -> OrderArrays:
        data = self.rest + self._take()
        count = (len(data) - 2) // PG_TUPLE.itemsize  # the last whole tuples, then the trailer
        if count < 0 or data[count * PG_TUPLE.itemsize :] != b"\xff\xff":
            raise ValueError("the COPY stream did not end where its tuples said it would")
        self.parts.append(_tuples(data, count))
        return concatenate(self.parts)


def _tuples(data: bytes, count: int) -> OrderArrays:
    rows = np.frombuffer(data, dtype=PG_TUPLE, count=count)
    return OrderArrays(
        rows["client"].astype(np.int64), rows["day"].astype(np.float64),
        rows["amount"].astype(np.float64), rows["cost"].astype(np.float64),
    )  # fmt: skip
