"""The ``ScoreStore`` port on SQLAlchemy: population reads as arrays, kept scores."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import Float, cast, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.scores.arrays import OrderArrays
from domain.scores.factors import Factor
from domain.scores.inputs import Billing, Quoting, ScoringInputs
from domain.scores.record import ScoreRecord
from storage.models import ClientRow, ClientScoreRow
from storage.repositories.score_orders import order_arrays
from storage.repositories.score_reads import (
    billing_query,
    contact_query,
    epoch_days,
    epoch_days_value,
    quoting_query,
)
from storage.repositories.score_writes import insert_rows

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]
RECORD_FIELDS = [f for f in ScoreRecord.__dataclass_fields__ if f != "factors"]


class SqlScoreStore:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @property
    def _dialect(self) -> str:
        return self.session.get_bind().dialect.name

    async def inputs(self, *, cut: datetime) -> ScoringInputs:
        ids, xids, created, acquisition = await self._clients()
        orders = await order_arrays(self.session, cut)
        buyers, runs = _runs(orders.client)
        has_orders = np.zeros(ids.size, dtype=bool)
        has_orders[np.searchsorted(ids, buyers)] = True
        keep = has_orders | (created <= epoch_days_value(cut))
        ids, created, acquisition = ids[keep], created[keep], acquisition[keep]
        index = np.repeat(np.searchsorted(ids, buyers), runs)
        orders = OrderArrays(index, orders.day, orders.amount, orders.cost)
        billing = await self._per_client(billing_query(cut, self._dialect), ids, 8)
        quoting = await self._per_client(quoting_query(cut), ids, 3)
        contact = await self._per_client(contact_query(cut, self._dialect), ids, 1, np.nan)
        return ScoringInputs(
            cut=epoch_days_value(cut), client_ids=ids,
            external_ids=[x for x, k in zip(xids, keep.tolist(), strict=True) if k],
            created=created, acquisition=acquisition, orders=orders,
            billing=Billing(*billing), quoting=Quoting(*quoting), last_contact=contact[0],
        )  # fmt: skip

    async def _clients(self) -> tuple[Ints, list[str], Floats, Floats]:
        rows = (
            await self.session.execute(
                select(
                    ClientRow.id, ClientRow.external_id,
                    epoch_days(ClientRow.created_at, self._dialect),
                    cast(func.coalesce(ClientRow.acquisition_cost, 0), Float),
                ).order_by(ClientRow.id)
            )
        ).all()  # fmt: skip
        if not rows:
            return np.zeros(0, dtype=np.int64), [], np.zeros(0), np.zeros(0)
        ids, xids, created, acquisition = zip(*rows, strict=True)
        as_float = [np.nan if v is None else float(v) for v in created]
        return (np.array(ids, dtype=np.int64), list(xids), np.array(as_float),
                np.array(acquisition, dtype=np.float64))  # fmt: skip

    async def _per_client(
        self, query: Any, ids: Ints, width: int, missing: float = 0.0
    ) -> list[Floats]:
        """``width`` per-client columns of a GROUP BY client query, aligned on ``ids``."""
        columns = [np.full(ids.size, missing) for _ in range(width)]
        rows = (await self.session.execute(query)).all()
        for row in rows:
            at = int(np.searchsorted(ids, row[0]))
            if at < ids.size and ids[at] == row[0]:
                for column, value in zip(columns, row[1:], strict=True):
                    column[at] = missing if value is None else float(value)
        return columns

    async def save(
        self, records: Sequence[ScoreRecord], *, as_of: date, computed_at: datetime
    ) -> int:
        await self.session.execute(delete(ClientScoreRow).where(ClientScoreRow.as_of == as_of))
        values = [_row(r, computed_at) for r in records]
        await insert_rows(self.session, ClientScoreRow.__table__, values)
        return len(values)

    async def computed_at(self, *, as_of: date) -> datetime | None:
        found = await self.session.execute(
            select(func.max(ClientScoreRow.computed_at)).where(ClientScoreRow.as_of == as_of)
        )
        value: datetime | None = found.scalar()
        return value

    async def latest(self, client_id: int, *, on_or_before: date) -> ScoreRecord | None:
        found = (
            await self.session.execute(
                select(ClientScoreRow, ClientRow.external_id)
                .join(ClientRow, ClientRow.id == ClientScoreRow.client_id)
                .where(ClientScoreRow.client_id == client_id,
                       ClientScoreRow.as_of <= on_or_before)
                .order_by(ClientScoreRow.as_of.desc()).limit(1)
            )
        ).first()  # fmt: skip
        return None if found is None else score_record(*found)

    async def latest_two(
        self, *, on_or_before: date
    ) -> dict[int, tuple[ScoreRecord, ScoreRecord | None]]:
        rank = (
            func.row_number()
            .over(partition_by=ClientScoreRow.client_id, order_by=ClientScoreRow.as_of.desc())
            .label("rank")
        )
        ranked = (
            select(ClientScoreRow.id, rank).where(ClientScoreRow.as_of <= on_or_before).subquery()
        )
        rows = await self.session.execute(
            select(ClientScoreRow, ClientRow.external_id, ranked.c.rank)
            .join(ranked, ranked.c.id == ClientScoreRow.id)
            .join(ClientRow, ClientRow.id == ClientScoreRow.client_id)
            .where(ranked.c.rank <= 2)
            .order_by(ClientScoreRow.client_id, ranked.c.rank)
        )
        found: dict[int, tuple[ScoreRecord, ScoreRecord | None]] = {}
        for row, xid, position in rows:
            record = score_record(row, xid)
            if position == 1:
                found[row.client_id] = (record, None)
            else:
                found[row.client_id] = (found[row.client_id][0], record)
        return found


def _runs(client: Ints) -> tuple[Ints, Ints]:
    """The clients of orders sorted by client, once each, and how many orders each has: so
    that each client is looked up once, not once per order."""
    if client.size == 0:
        return client, np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, client[1:] != client[:-1]])
    return client[starts], np.diff(np.r_[starts, client.size])


def _row(record: ScoreRecord, computed_at: datetime) -> dict[str, Any]:
    values = {f: getattr(record, f) for f in RECORD_FIELDS if f != "client_external_id"}
    values["computed_at"] = computed_at
    values["factors"] = [f.to_json() for f in record.factors]
    return values


def score_record(row: ClientScoreRow, external_id: str) -> ScoreRecord:
    """A kept score row as the domain reads it (the store, the Home and the digest)."""
    values = {f: getattr(row, f) for f in RECORD_FIELDS if f != "client_external_id"}
    values["clv"] = Decimal(row.clv)
    values["expected_revenue"] = Decimal(row.expected_revenue)
    factors = tuple(Factor.from_json(f) for f in row.factors)
    return ScoreRecord(client_external_id=external_id, factors=factors, **values)
