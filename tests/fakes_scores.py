"""An in-memory ``ScoreStore`` over the fake unit of work's tables (tests/fakes.py).

It builds the same ``ScoringInputs`` the SQL store reads — through the domain's own
``aggregate``/``billing_of`` definitions — so the store contract test can hold the SQL
to them. Kept scores live beside the fake tables and commit or roll back with them.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import numpy as np

from domain.ports_scores import ScoreStore
from domain.scores.arrays import OrderArrays
from domain.scores.inputs import InvoiceArrays, Quoting, ScoringInputs, billing_of
from domain.scores.record import ScoreRecord
from domain.scores.table import day_of


class FakeScoreStore(ScoreStore):
    def __init__(self, txn: Any) -> None:
        self._txn = txn

    @property
    def _kept(self) -> dict[tuple[int, date], ScoreRecord]:
        kept: dict[tuple[int, date], ScoreRecord] = self._txn.tables.__dict__.setdefault(
            "client_scores", {}
        )
        return kept

    async def inputs(self, *, cut: datetime) -> ScoringInputs:
        t = self._txn.tables
        clients = sorted(t.clients.values(), key=lambda c: c.id)
        ordered = {o.client_external_id for o in t.orders.values() if o.ordered_at <= cut}
        clients = [c for c in clients if c.external_id in ordered or c.created_at <= cut]
        index = {c.external_id: i for i, c in enumerate(clients)}
        by_id = {c.id: i for i, c in enumerate(clients)}
        return ScoringInputs(
            cut=day_of(cut),
            client_ids=np.array([c.id for c in clients], dtype=np.int64),
            external_ids=[c.external_id for c in clients],
            created=np.array([day_of(c.created_at) for c in clients], dtype=np.float64),
            acquisition=np.array([float(c.acquisition_cost or 0) for c in clients]),
            orders=_orders(t, index, cut),
            billing=billing_of(_invoices(t, index, cut), cut=day_of(cut), clients=len(clients)),
            quoting=_quoting(t, index, cut),
            last_contact=_contacts(t, by_id, cut),
        )

    async def save(
        self, records: Sequence[ScoreRecord], *, as_of: date, computed_at: datetime
    ) -> int:
        for key in [k for k in self._kept if k[1] == as_of]:
            del self._kept[key]
        for record in records:
            self._kept[(record.client_id, as_of)] = copy.deepcopy(record)
        self._txn.tables.__dict__.setdefault("client_scores_at", {})[as_of] = computed_at
        return len(records)

    async def computed_at(self, *, as_of: date) -> datetime | None:
        return self._txn.tables.__dict__.setdefault("client_scores_at", {}).get(as_of)

    async def latest(self, client_id: int, *, on_or_before: date) -> ScoreRecord | None:
        mine = [r for (c, d), r in self._kept.items() if c == client_id and d <= on_or_before]
        return copy.deepcopy(max(mine, key=lambda r: r.as_of)) if mine else None

    async def latest_two(
        self, *, on_or_before: date
    ) -> dict[int, tuple[ScoreRecord, ScoreRecord | None]]:
        found: dict[int, list[ScoreRecord]] = {}
        for (client, day), record in sorted(self._kept.items(), key=lambda kv: kv[0][1]):
            if day <= on_or_before:
                found.setdefault(client, []).insert(0, record)
        return {c: (rs[0], rs[1] if len(rs) > 1 else None) for c, rs in found.items()}


def _orders(t: Any, index: dict[str, int], cut: datetime) -> OrderArrays:
    rows = sorted(
        (index[o.client_external_id], day_of(o.ordered_at), float(o.amount),
         np.nan if o.cost is None else float(o.cost))
        for o in t.orders.values() if o.ordered_at <= cut
    )  # fmt: skip
    table = np.array(rows, dtype=np.float64).reshape(-1, 4)
    return OrderArrays(table[:, 0].astype(np.int64), table[:, 1], table[:, 2], table[:, 3])


def _invoices(t: Any, index: dict[str, int], cut: datetime) -> InvoiceArrays:
    rows = []
    for inv in t.invoices.values():
        if inv.client_external_id not in index:
            continue
        paid = [p for p in t.payments.values()
                if p.invoice_external_id == inv.external_id and p.paid_at <= cut]  # fmt: skip
        last = max((p.paid_at for p in paid), default=None)
        rows.append((index[inv.client_external_id], day_of(inv.issued_at), day_of(inv.due_at),
                     float(inv.amount), float(sum(p.amount for p in paid)),
                     np.nan if last is None else day_of(last)))  # fmt: skip
    table = np.array(rows, dtype=np.float64).reshape(-1, 6)
    return InvoiceArrays(table[:, 0].astype(np.int64), *(table[:, i] for i in range(1, 6)))


def _quoting(t: Any, index: dict[str, int], cut: datetime) -> Quoting:
    q = Quoting.empty(len(index))
    for quote in t.quotes.values():
        at = index.get(quote.client_external_id)
        if at is None or quote.created_at is None or quote.created_at > cut:
            continue
        q.quotes[at] += 1
        q.discounted[at] += quote.discount_pct > 0
        q.discount_total[at] += float(quote.discount_pct)
    return q


def _contacts(t: Any, by_id: dict[int, int], cut: datetime) -> np.ndarray:
    last = np.full(len(by_id), np.nan)
    for activity in t.activities.values():
        at = by_id.get(activity.client_id)
        if at is None or activity.deleted_at is not None or activity.occurred_at > cut:
            continue
        last[at] = np.fmax(last[at], day_of(activity.occurred_at))
    return last
