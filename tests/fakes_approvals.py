"""An in-memory ``ApprovalStore`` over the fake unit of work's tables (tests/fakes.py).

Chains and request copies sit beside the fake tables and commit or roll back with them;
a copy's ``channel``/``ts`` come from its outbox row once sent, as the SQL join gives.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from domain.approvals.model import ACTIVE, OPEN, Chain, RequestMessage
from domain.approvals.ports import ApprovalStore
from domain.model import QuoteStatus


class FakeApprovalStore(ApprovalStore):
    def __init__(self, txn: Any) -> None:
        self._txn = txn

    def _table(self, name: str) -> dict[int, Any]:
        table: dict[int, Any] = self._txn.tables.__dict__.setdefault(name, {})
        return table

    @property
    def _chains(self) -> dict[int, Chain]:
        return self._table("approval_chains")

    @property
    def _requests(self) -> dict[int, RequestMessage]:
        return self._table("approval_requests")

    async def add_chain(self, chain: Chain) -> Chain:
        if any(
            (c.quote_id, c.started_version) == (chain.quote_id, chain.started_version)
            for c in self._chains.values()
        ):
            raise ValueError("a round of this quote at this version exists")
        chain.id = self._txn.next_id("approval_chains")
        self._chains[chain.id] = copy.deepcopy(chain)
        return chain

    async def chain(self, chain_id: int) -> Chain | None:
        return copy.deepcopy(self._chains.get(chain_id))

    async def _last(self, quote_id: int, *, active: bool) -> Chain | None:
        found = [
            c
            for c in self._chains.values()
            if c.quote_id == quote_id and (not active or c.state == ACTIVE)
        ]
        return copy.deepcopy(max(found, key=lambda c: c.id or 0)) if found else None

    async def active_chain(self, quote_id: int) -> Chain | None:
        return await self._last(quote_id, active=True)

    async def latest_chain(self, quote_id: int) -> Chain | None:
        return await self._last(quote_id, active=False)

    async def quote_key(self, quote_id: int) -> str | None:
        return next((q.external_id for q in self._quotes() if q.id == quote_id), None)

    async def save_chain(self, chain: Chain) -> None:
        assert chain.id is not None
        kept = self._chains[chain.id]
        for name in ("current", "state", "level_started_at", "reminded_at", "escalated_at"):
            setattr(kept, name, getattr(chain, name))

    async def add_request(self, request: RequestMessage) -> RequestMessage:
        if any(r.outbox_key == request.outbox_key for r in self._requests.values()):
            raise ValueError(f"duplicate request key {request.outbox_key}")
        request.id = self._txn.next_id("approval_requests")
        self._requests[request.id] = copy.deepcopy(request)
        return request

    def _shown(self, request: RequestMessage) -> RequestMessage:
        out = copy.deepcopy(request)
        sent = self._txn.tables.outbox.get(request.outbox_key)
        if sent is not None and sent.message.sent_ts and not out.ts:
            out.channel, out.ts = sent.message.channel, sent.message.sent_ts
        return out

    async def requests(self, chain_id: int) -> Sequence[RequestMessage]:
        found = [r for r in self._requests.values() if r.chain_id == chain_id]
        return [self._shown(r) for r in sorted(found, key=lambda r: r.id or 0)]

    async def save_request(self, request: RequestMessage) -> None:
        assert request.id is not None
        kept = self._requests[request.id]
        for name in ("state", "channel", "ts", "pending_payload"):
            setattr(kept, name, copy.deepcopy(getattr(request, name)))

    async def rewrite_unsent(self, outbox_key: str, payload: dict[str, Any]) -> bool:
        row = self._txn.tables.outbox.get(outbox_key)
        if row is None or row.message.status != "pending" or row.message.sent_ts:
            return False
        if row.lease_until is not None:
            return False  # being sent right now (the fake has no clock to compare with)
        row.message.payload = copy.deepcopy(payload)
        return True

    def _quotes(self) -> list[Any]:
        return list(self._txn.tables.quotes.values())

    async def waiting_on(
        self, slack_user_id: str, *, limit: int
    ) -> tuple[Sequence[tuple[Chain, str]], int]:
        pending = {q.id: q.external_id for q in self._quotes() if q.status is QuoteStatus.PENDING}
        chains = {
            r.chain_id
            for r in self._requests.values()
            if r.approver == slack_user_id
            and r.state == OPEN
            and self._chains[r.chain_id].state == ACTIVE
            and self._chains[r.chain_id].current == r.level
            and self._chains[r.chain_id].quote_id in pending
        }
        found = sorted((self._chains[c] for c in chains), key=lambda c: (c.level_started_at, c.id))
        return [(copy.deepcopy(c), pending[c.quote_id]) for c in found[:limit]], len(found)

    async def orphans(self, *, limit: int) -> Sequence[str]:
        started = {c.quote_id for c in self._chains.values()}
        found = [
            q for q in self._quotes() if q.status is QuoteStatus.PENDING and q.id not in started
        ]
        found.sort(key=lambda q: (q.created_at, q.id))
        return [q.external_id for q in found[:limit]]

    async def pending_past(self, now: datetime, *, limit: int) -> Sequence[str]:
        found = [
            q
            for q in self._quotes()
            if q.status is QuoteStatus.PENDING and q.valid_until and q.valid_until < now
        ]
        found.sort(key=lambda q: (q.valid_until, q.id))
        return [q.external_id for q in found[:limit]]

    async def overdue(self, before: datetime, *, limit: int) -> Sequence[Chain]:
        def due(c: Chain) -> bool:
            if c.reminded_at is None:
                return c.level_started_at <= before
            return c.escalated_at is None and c.reminded_at <= before

        found = [c for c in self._chains.values() if c.state == ACTIVE and due(c)]
        found.sort(key=lambda c: (c.level_started_at, c.id))
        return copy.deepcopy(found[:limit])

    async def unrefreshed(self, *, limit: int) -> Sequence[RequestMessage]:
        found = [r for r in self._requests.values() if r.pending_payload is not None]
        return [self._shown(r) for r in sorted(found, key=lambda r: r.id or 0)[:limit]]

    async def open_receivables(self, client_external_id: str) -> Decimal:
        tables = self._txn.tables
        owed = Decimal(0)
        for invoice in tables.invoices.values():
            if invoice.client_external_id != client_external_id:
                continue
            paid = sum(
                (
                    p.amount
                    for p in tables.payments.values()
                    if p.invoice_external_id == invoice.external_id
                ),
                Decimal(0),
            )
            owed += max(invoice.amount - paid, Decimal(0))
        return owed
