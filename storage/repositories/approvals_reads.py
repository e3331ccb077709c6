"""The reads behind the waiting list, the expiry cycle and the credit check."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.approvals.model import ACTIVE, OPEN, Chain, ChainFacts
from domain.approvals.policy import ChainLevel
from domain.model import QuoteStatus
from storage.models import (
    ApprovalChainRow,
    ApprovalRequestRow,
    ClientRow,
    InvoiceRow,
    PaymentRow,
    QuoteRow,
)


def chain_entity(row: ApprovalChainRow) -> Chain:
    return Chain(
        quote_id=row.quote_id,
        started_version=row.started_version,
        levels=tuple(ChainLevel.from_json(level) for level in row.levels),
        facts=ChainFacts.from_json(row.facts),
        level_started_at=row.level_started_at,
        current=row.current,
        state=row.state,
        reminded_at=row.reminded_at,
        escalated_at=row.escalated_at,
        id=row.id,
    )


class ApprovalReads:
    """Mixed into ``SqlApprovalStore``."""

    session: AsyncSession

    async def waiting_on(
        self, slack_user_id: str, *, limit: int
    ) -> tuple[Sequence[tuple[Chain, str]], int]:
        where = (
            ApprovalRequestRow.approver == slack_user_id,
            ApprovalRequestRow.state == OPEN,
            ApprovalChainRow.state == ACTIVE,
            ApprovalChainRow.current == ApprovalRequestRow.level,
            QuoteRow.status == str(QuoteStatus.PENDING),
        )
        joined = (
            select(ApprovalChainRow, QuoteRow.external_id)
            .join(ApprovalRequestRow, ApprovalRequestRow.chain_id == ApprovalChainRow.id)
            .join(QuoteRow, QuoteRow.id == ApprovalChainRow.quote_id)
            .where(*where)
        )
        total = await self.session.scalar(select(func.count()).select_from(joined.subquery()))
        rows = await self.session.execute(
            joined.order_by(ApprovalChainRow.level_started_at, ApprovalChainRow.id).limit(limit)
        )
        return [(chain_entity(row), xid) for row, xid in rows], int(total or 0)

    async def orphans(self, *, limit: int) -> Sequence[str]:
        rounds = select(ApprovalChainRow.id).where(ApprovalChainRow.quote_id == QuoteRow.id)
        rows = await self.session.execute(
            select(QuoteRow.external_id)
            .where(QuoteRow.status == str(QuoteStatus.PENDING), ~rounds.exists())
            .order_by(QuoteRow.created_at, QuoteRow.id)
            .limit(limit)
        )
        return list(rows.scalars())

    async def pending_past(self, now: datetime, *, limit: int) -> Sequence[str]:
        rows = await self.session.execute(
            select(QuoteRow.external_id)
            .where(QuoteRow.status == str(QuoteStatus.PENDING), QuoteRow.valid_until < now)
            .order_by(QuoteRow.valid_until, QuoteRow.id)
            .limit(limit)
        )
        return list(rows.scalars())

    async def overdue(self, before: datetime, *, limit: int) -> Sequence[Chain]:
        chains = ApprovalChainRow
        rows = await self.session.execute(
            select(chains)
            .where(
                chains.state == ACTIVE,
                or_(
                    and_(chains.reminded_at.is_(None), chains.level_started_at <= before),
                    and_(chains.escalated_at.is_(None), chains.reminded_at <= before),
                ),
            )
            .order_by(chains.level_started_at, chains.id)
            .limit(limit)
        )
        return [chain_entity(row) for row in rows.scalars()]

    async def open_receivables(self, client_external_id: str) -> Decimal:
        paid = (
            select(PaymentRow.invoice_id, func.sum(PaymentRow.amount).label("paid"))
            .group_by(PaymentRow.invoice_id)
            .subquery()
        )
        owed = func.coalesce(InvoiceRow.amount - func.coalesce(paid.c.paid, 0), 0)
        total = await self.session.scalar(
            select(func.coalesce(func.sum(owed), 0))
            .select_from(InvoiceRow)
            .join(ClientRow, ClientRow.id == InvoiceRow.client_id)
            .outerjoin(paid, paid.c.invoice_id == InvoiceRow.id)
            .where(ClientRow.external_id == client_external_id, owed > 0)
        )
        return Decimal(str(total or 0))
