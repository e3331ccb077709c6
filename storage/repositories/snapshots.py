"""Client snapshots for the health card: one client's data as of a moment.

Nothing dated after ``now`` is read: orders by ``ordered_at``, invoices by ``issued_at``
(with the payments made on or before ``now`` only), the last activity by ``occurred_at``
(undone ones never count), tasks created by ``now`` and still open then (open now, or
closed after ``now``), quotes created by ``now`` and pending approval. Six queries, none
per row.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from domain.model import Activity, QuoteStatus, Task, TaskStatus
from domain.ports_chat import InvoiceLine, OrderLine
from domain.services.health import HealthSnapshot
from storage.models import (
    ActivityRow,
    ClientRow,
    InvoiceRow,
    OrderRow,
    PaymentRow,
    QuoteRow,
    TaskRow,
    UserRow,
)
from storage.repositories.clients import client_entity
from storage.repositories.quotes import quote_entity
from storage.repositories.work import activity_entity, task_entity, task_query

LISTED = 10  # open tasks and pending quotes carried; the snapshot counts them all
_REQUESTER = aliased(UserRow)  # built once: a new aliased() per query is costly under load


class SqlClientSnapshots:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def load(self, client_id: int, *, now: datetime) -> HealthSnapshot | None:
        """The client's data dated on or before ``now``; None for an unknown id."""
        found = (
            await self.session.execute(
                select(ClientRow, UserRow.slack_user_id, UserRow.name)
                .outerjoin(UserRow, ClientRow.owner_id == UserRow.id)
                .where(ClientRow.id == client_id)
            )
        ).first()
        if found is None:
            return None
        row, owner_slack_id, owner_name = found
        snapshot = HealthSnapshot(client=client_entity(row, owner_slack_id), owner_name=owner_name)
        if owner_slack_id and owner_name:
            snapshot.names[owner_slack_id] = owner_name
        snapshot.orders = await self._orders(client_id, now)
        snapshot.invoices = await self._invoices(client_id, now)
        snapshot.last_activity = await self._lastactivity_entity(client_id, now, snapshot.names)
        await self._tasks(snapshot, client_id, now)
        await self._quotes(snapshot, row.external_id, client_id, now)
        return snapshot

    async def _orders(self, client_id: int, now: datetime) -> list[OrderLine]:
        rows = await self.session.execute(
            select(OrderRow.ordered_at, OrderRow.amount, OrderRow.cost)
            .where(OrderRow.client_id == client_id, OrderRow.ordered_at <= now)
            .order_by(OrderRow.ordered_at, OrderRow.id)
        )
        return [OrderLine(at, amount, cost) for at, amount, cost in rows]

    async def _invoices(self, client_id: int, now: datetime) -> list[InvoiceLine]:
        paid = (
            select(
                PaymentRow.invoice_id,
                func.sum(PaymentRow.amount).label("paid"),
                func.max(PaymentRow.paid_at).label("last_paid_at"),
            )
            .where(PaymentRow.paid_at <= now)
            .group_by(PaymentRow.invoice_id)
            .subquery()
        )
        rows = await self.session.execute(
            select(
                InvoiceRow.issued_at,
                InvoiceRow.due_at,
                InvoiceRow.amount,
                paid.c.paid,
                paid.c.last_paid_at,
            )
            .outerjoin(paid, paid.c.invoice_id == InvoiceRow.id)
            .where(InvoiceRow.client_id == client_id, InvoiceRow.issued_at <= now)
            .order_by(InvoiceRow.issued_at, InvoiceRow.id)
        )
        return [
            InvoiceLine(issued, due, amount, Decimal(0) if paid_sum is None else paid_sum, last)
            for issued, due, amount, paid_sum, last in rows
        ]

    async def _lastactivity_entity(
        self, client_id: int, now: datetime, names: dict[str, str]
    ) -> Activity | None:
        found = (
            await self.session.execute(
                select(ActivityRow, UserRow.slack_user_id, UserRow.name)
                .outerjoin(UserRow, UserRow.id == ActivityRow.author_id)
                .where(
                    ActivityRow.client_id == client_id,
                    ActivityRow.deleted_at.is_(None),
                    ActivityRow.occurred_at <= now,
                )
                .order_by(ActivityRow.occurred_at.desc(), ActivityRow.id.desc())
                .limit(1)
            )
        ).first()
        if found is None:
            return None
        row, author, author_name = found
        if author and author_name:
            names[author] = author_name
        return activity_entity(row, author)

    async def _tasks(self, snapshot: HealthSnapshot, client_id: int, now: datetime) -> None:
        query, assignee = task_query()
        open_then = or_(TaskRow.status == str(TaskStatus.OPEN), TaskRow.completed_at > now)
        rows = await self.session.execute(
            query.add_columns(assignee.name, func.count().over().label("total"))
            .where(TaskRow.client_id == client_id, TaskRow.created_at <= now, open_then)
            .order_by(TaskRow.due_at, TaskRow.id)
            .limit(LISTED)
        )
        snapshot.open_task_count = 0
        for row, assignee_id, creator_id, assignee_name, total in rows:
            snapshot.open_tasks.append(_open_task(row, assignee_id, creator_id))
            snapshot.names[assignee_id] = assignee_name
            snapshot.open_task_count = total

    async def _quotes(
        self, snapshot: HealthSnapshot, client_xid: str, client_id: int, now: datetime
    ) -> None:
        requester = _REQUESTER
        rows = await self.session.execute(
            select(
                QuoteRow,
                requester.slack_user_id,
                requester.name,
                func.count().over().label("total"),
            )
            .join(requester, requester.id == QuoteRow.requested_by_id)
            .where(
                QuoteRow.client_id == client_id,
                QuoteRow.status == str(QuoteStatus.PENDING),
                QuoteRow.created_at <= now,
            )
            .order_by(QuoteRow.created_at, QuoteRow.id)
            .limit(LISTED)
        )
        snapshot.pending_quote_count = 0
        for row, requester_id, requester_name, total in rows:
            snapshot.pending_quotes.append(quote_entity(row, client_xid, requester_id))
            snapshot.names[requester_id] = requester_name
            snapshot.pending_quote_count = total


def _open_task(row: TaskRow, assignee: str, creator: str | None) -> Task:
    """The task as it stood: open, even when it was closed after the snapshot's moment."""
    task = task_entity(row, assignee, creator)
    task.status, task.completed_at = TaskStatus.OPEN, None
    return task
