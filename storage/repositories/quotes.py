"""Quotes: stored as they arrive; the approval issue adds the chain's state changes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.model import ApprovalDecision, Decision, Quote, QuoteStatus
from domain.ports import UpsertResult
from storage.models import ApprovalDecisionRow, ClientRow, QuoteRow, UserRow
from storage.repositories._bulk import id_map, upsert


def quote_entity(row: QuoteRow, client_xid: str, requester: str) -> Quote:
    return Quote(
        external_id=row.external_id,
        client_external_id=client_xid,
        requested_by_slack_user_id=requester,
        total=row.total,
        discount_pct=row.discount_pct,
        currency=row.currency,
        valid_until=row.valid_until,
        created_at=row.created_at,
        description=row.description,
        status=QuoteStatus(row.status),
        version=row.version,
        id=row.id,
    )


class _Decisions:
    """Status changes and decisions; mixed into the quote repository."""

    session: AsyncSession

    async def set_status(
        self, quote_id: int, status: QuoteStatus, *, level: int, expected_version: int
    ) -> bool:
        result = await self.session.execute(
            update(QuoteRow)
            .where(QuoteRow.id == quote_id, QuoteRow.version == expected_version)
            .values(
                status=str(status),
                current_level=level,
                version=expected_version + 1,
                updated_at=datetime.now(UTC),
            )
        )
        return bool(getattr(result, "rowcount", 0))

    async def add_decision(self, decision: ApprovalDecision) -> None:
        approver = await id_map(
            self.session, UserRow, "slack_user_id", [decision.approver_slack_user_id]
        )
        self.session.add(
            ApprovalDecisionRow(
                quote_id=decision.quote_id,
                level=decision.level,
                level_name=decision.level_name,
                approver_id=approver[decision.approver_slack_user_id],
                decision=str(decision.decision),
                comment=decision.comment,
                quote_version=decision.quote_version,
                decided_at=decision.decided_at,
            )
        )
        await self.session.flush()

    async def decisions(self, quote_id: int) -> Sequence[ApprovalDecision]:
        rows = await self.session.execute(
            select(ApprovalDecisionRow, UserRow.slack_user_id)
            .join(UserRow, UserRow.id == ApprovalDecisionRow.approver_id)
            .where(ApprovalDecisionRow.quote_id == quote_id)
            .order_by(ApprovalDecisionRow.decided_at, ApprovalDecisionRow.id)
        )
        return [
            ApprovalDecision(
                quote_id=row.quote_id,
                level=row.level,
                level_name=row.level_name,
                approver_slack_user_id=approver,
                decision=Decision(row.decision),
                decided_at=row.decided_at,
                quote_version=row.quote_version,
                comment=row.comment,
                id=row.id,
            )
            for row, approver in rows
        ]


class SqlQuoteRepository(_Decisions):
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, external_id: str) -> Quote | None:
        found = (
            await self.session.execute(
                select(QuoteRow, ClientRow.external_id, UserRow.slack_user_id)
                .join(ClientRow, ClientRow.id == QuoteRow.client_id)
                .join(UserRow, UserRow.id == QuoteRow.requested_by_id)
                .where(QuoteRow.external_id == external_id)
            )
        ).first()
        if not found:
            return None
        return quote_entity(*found)

    async def upsert_many(self, quotes: Sequence[Quote]) -> UpsertResult:
        now = datetime.now(UTC)
        clients = await id_map(
            self.session, ClientRow, "external_id", {q.client_external_id for q in quotes}
        )
        users = await id_map(
            self.session, UserRow, "slack_user_id", {q.requested_by_slack_user_id for q in quotes}
        )
        records = [
            {
                "external_id": q.external_id,
                "client_id": clients[q.client_external_id],
                "requested_by_id": users[q.requested_by_slack_user_id],
                "total": q.total,
                "discount_pct": q.discount_pct,
                "currency": q.currency,
                "valid_until": q.valid_until,
                "description": q.description,
                "created_at": q.created_at or now,
            }
            for q in quotes
        ]
        return await upsert(
            self.session,
            QuoteRow,
            "external_id",
            records,
            on_insert={"updated_at": now},
            on_update={"updated_at": now},
            insert_only=frozenset({"created_at"}),
        )
