"""Approval chains and request messages on SQLAlchemy (``domain.approvals.ports``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.approvals.model import ACTIVE, Chain, RequestMessage
from storage.models import (
    ApprovalChainRow,
    ApprovalRequestRow,
    OutboxRow,
    QuoteRow,
)
from storage.repositories.approvals_reads import ApprovalReads, chain_entity


def _request(
    row: ApprovalRequestRow, sent_channel: str | None, sent_ts: str | None
) -> RequestMessage:
    return RequestMessage(
        chain_id=row.chain_id,
        level=row.level,
        approver=row.approver,
        outbox_key=row.outbox_key,
        state=row.state,
        channel=row.channel or (sent_channel if sent_ts else None),
        ts=row.ts or sent_ts,
        pending_payload=row.pending_payload,
        id=row.id,
    )


class SqlApprovalStore(ApprovalReads):
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_chain(self, chain: Chain) -> Chain:
        row = ApprovalChainRow(
            quote_id=chain.quote_id,
            started_version=chain.started_version,
            levels=[level.as_json() for level in chain.levels],
            facts=chain.facts.as_json(),
            current=chain.current,
            state=chain.state,
            level_started_at=chain.level_started_at,
            reminded_at=chain.reminded_at,
            escalated_at=chain.escalated_at,
            created_at=chain.level_started_at,
        )
        self.session.add(row)
        await self.session.flush()
        chain.id = row.id
        return chain

    async def chain(self, chain_id: int) -> Chain | None:
        row = await self.session.get(ApprovalChainRow, chain_id, populate_existing=True)
        return None if row is None else chain_entity(row)

    async def active_chain(self, quote_id: int) -> Chain | None:
        return await self._last(quote_id, ApprovalChainRow.state == ACTIVE)

    async def latest_chain(self, quote_id: int) -> Chain | None:
        return await self._last(quote_id)

    async def _last(self, quote_id: int, *where: Any) -> Chain | None:
        row = (
            await self.session.execute(
                select(ApprovalChainRow)
                .where(ApprovalChainRow.quote_id == quote_id, *where)
                .order_by(ApprovalChainRow.id.desc())
                .limit(1)
            )
        ).scalar_one_or_none()
        return None if row is None else chain_entity(row)

    async def quote_key(self, quote_id: int) -> str | None:
        found = await self.session.scalar(
            select(QuoteRow.external_id).where(QuoteRow.id == quote_id)
        )
        return None if found is None else str(found)

    async def save_chain(self, chain: Chain) -> None:
        await self.session.execute(
            update(ApprovalChainRow)
            .where(ApprovalChainRow.id == chain.id)
            .values(
                current=chain.current,
                state=chain.state,
                level_started_at=chain.level_started_at,
                reminded_at=chain.reminded_at,
                escalated_at=chain.escalated_at,
            )
        )

    async def add_request(self, request: RequestMessage) -> RequestMessage:
        row = ApprovalRequestRow(
            chain_id=request.chain_id,
            level=request.level,
            approver=request.approver,
            outbox_key=request.outbox_key,
            state=request.state,
            channel=request.channel,
            ts=request.ts,
            pending_payload=request.pending_payload,
            updated_at=datetime.now(UTC),
        )
        self.session.add(row)
        await self.session.flush()
        request.id = row.id
        return request

    async def _requests(self, *where: Any, limit: int | None = None) -> list[RequestMessage]:
        query = (
            select(ApprovalRequestRow, OutboxRow.channel, OutboxRow.sent_ts)
            .outerjoin(OutboxRow, OutboxRow.key == ApprovalRequestRow.outbox_key)
            .where(*where)
            .order_by(ApprovalRequestRow.id)
        )
        if limit is not None:
            query = query.limit(limit)
        rows = await self.session.execute(query)
        return [_request(row, channel, ts) for row, channel, ts in rows]

    async def requests(self, chain_id: int) -> Sequence[RequestMessage]:
        return await self._requests(ApprovalRequestRow.chain_id == chain_id)

    async def save_request(self, request: RequestMessage) -> None:
        await self.session.execute(
            update(ApprovalRequestRow)
            .where(ApprovalRequestRow.id == request.id)
            .values(
                state=request.state,
                channel=request.channel,
                ts=request.ts,
                pending_payload=request.pending_payload,
                updated_at=datetime.now(UTC),
            )
        )

    async def rewrite_unsent(self, outbox_key: str, payload: dict[str, Any]) -> bool:
        now = datetime.now(UTC)
        result = await self.session.execute(
            update(OutboxRow)
            .where(
                OutboxRow.key == outbox_key,
                OutboxRow.status == "pending",
                OutboxRow.sent_ts.is_(None),
                or_(OutboxRow.lease_until.is_(None), OutboxRow.lease_until < now),
            )
            .values(payload=payload)
        )
        return bool(getattr(result, "rowcount", 0))

    async def unrefreshed(self, *, limit: int) -> Sequence[RequestMessage]:
        return await self._requests(ApprovalRequestRow.pending_payload.is_not(None), limit=limit)
