"""The ``AutoTaskStore`` port on SQLAlchemy: each client's facts in a few grouped reads,
and an insert that the partial unique index ``uq_tasks_open_rule`` guards."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.model import Task
from domain.ports_alerts import ClientFacts
from storage.models import ActivityRow, InvoiceRow, PaymentRow, RiskAlertRow, TaskRow
from storage.repositories.digest import client_line, owner_query
from storage.repositories.scores import SqlScoreStore
from storage.repositories.work import SqlTaskRepository

RISK_LOOKBACK = timedelta(days=90)
HALF_CENT = 0.005


class SqlAutoTaskStore:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def facts(self, *, now: datetime, rules: Iterable[str]) -> Sequence[ClientFacts]:
        query, _ = owner_query()
        clients = (await self.session.execute(query)).all()
        overdue = await self._pairs(self._overdue(now))
        contact = await self._pairs(
            select(ActivityRow.client_id, func.max(ActivityRow.occurred_at))
            .where(ActivityRow.deleted_at.is_(None), ActivityRow.occurred_at <= now)
            .group_by(ActivityRow.client_id)
        )
        risen = await self._pairs(
            select(RiskAlertRow.client_id, func.max(RiskAlertRow.raised_at))
            .where(RiskAlertRow.raised_at > now - RISK_LOOKBACK)
            .group_by(RiskAlertRow.client_id)
        )
        kept = await SqlScoreStore(self.session).latest_two(on_or_before=now.astimezone(UTC).date())
        created = await self._last_task_at(list(rules))
        return [
            ClientFacts(
                client=client_line(row, owner),
                created_at=row.created_at,
                oldest_overdue_days=_days(now, overdue.get(row.id)),
                last_contact_at=contact.get(row.id),
                latest=kept[row.id][0] if row.id in kept else None,
                previous=kept[row.id][1] if row.id in kept else None,
                risk_turned_high_at=risen.get(row.id),
                last_task_at=created.get(row.id, {}),
            )
            for row, owner in clients
        ]

    def _overdue(self, now: datetime) -> Any:
        paid = (
            select(PaymentRow.invoice_id, func.sum(PaymentRow.amount).label("paid"))
            .where(PaymentRow.paid_at <= now)
            .group_by(PaymentRow.invoice_id)
            .subquery()
        )
        return (
            select(InvoiceRow.client_id, func.min(InvoiceRow.due_at))
            .outerjoin(paid, paid.c.invoice_id == InvoiceRow.id)
            .where(
                InvoiceRow.due_at <= now,
                InvoiceRow.issued_at <= now,
                InvoiceRow.amount - func.coalesce(paid.c.paid, 0) > HALF_CENT,
            )
            .group_by(InvoiceRow.client_id)
        )

    async def _pairs(self, query: Any) -> dict[int, datetime]:
        return {k: v for k, v in await self.session.execute(query)}

    async def _last_task_at(self, rules: list[str]) -> dict[int, dict[str, datetime]]:
        rows = await self.session.execute(
            select(
                TaskRow.client_id,
                TaskRow.rule,
                func.max(func.coalesce(TaskRow.completed_at, TaskRow.created_at)),
            )
            .where(TaskRow.rule.in_(rules), TaskRow.client_id.is_not(None))
            .group_by(TaskRow.client_id, TaskRow.rule)
        )
        found: dict[int, dict[str, datetime]] = {}
        for client_id, rule, at in rows:
            if client_id is not None and rule is not None:
                found.setdefault(client_id, {})[rule] = at
        return found

    async def add(self, task: Task) -> Task | None:
        try:
            async with self.session.begin_nested():
                return await SqlTaskRepository(self.session).add(task)
        except IntegrityError:
            return None


def _days(now: datetime, since: datetime | None) -> float | None:
    return None if since is None else (now - since).total_seconds() / 86_400
