"""Per-client totals for scoring, in SQL: billing, quoting and the last contact.

Each is one GROUP BY over rows dated on or before the cut; ``domain.scores.inputs`` defines
what the billing totals mean (``billing_of``), and the store contract test holds the SQL to
it. Times are compared as days since the Unix epoch.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Float, and_, case, cast, func, not_, or_, select
from sqlalchemy.sql.elements import ColumnElement

from storage.models import ActivityRow, InvoiceRow, PaymentRow, QuoteRow

UNIX_JULIAN = 2440587.5


def epoch_days(column: Any, dialect: str) -> ColumnElement[Any]:
    """A datetime column as days since the Unix epoch, in SQL."""
    if dialect == "sqlite":
        return func.julianday(column) - UNIX_JULIAN
    return func.extract("epoch", column) / 86_400.0


def _invoice_rows(cut: datetime, dialect: str) -> Any:
    """Invoices issued by the cut, each with what was paid by then and when it last was."""
    paid = (
        select(PaymentRow.invoice_id, func.sum(PaymentRow.amount).label("paid"),
               func.max(PaymentRow.paid_at).label("last"))
        .where(PaymentRow.paid_at <= cut).group_by(PaymentRow.invoice_id).subquery()
    )  # fmt: skip
    return (
        select(
            InvoiceRow.client_id.label("client_id"),
            epoch_days(InvoiceRow.issued_at, dialect).label("issued"),
            epoch_days(InvoiceRow.due_at, dialect).label("due"),
            cast(InvoiceRow.amount, Float).label("amount"),
            cast(func.coalesce(paid.c.paid, 0), Float).label("paid"),
            epoch_days(paid.c.last, dialect).label("last"),
        )
        .outerjoin(paid, paid.c.invoice_id == InvoiceRow.id)
        .where(InvoiceRow.issued_at <= cut)
        .subquery()
    )


def billing_query(cut: datetime, dialect: str) -> Any:
    """Per client: ``domain.scores.inputs.billing_of``'s totals, in one GROUP BY."""
    now = epoch_days_value(cut)
    inv = _invoice_rows(cut, dialect)
    due_now = inv.c.due <= now
    settled = inv.c.paid >= inv.c.amount - 0.005
    late_paid = and_(settled, inv.c.last.is_not(None), inv.c.last > inv.c.due)
    open_late = and_(due_now, not_(settled))

    def total(condition: Any, value: Any = 1) -> Any:
        return func.coalesce(func.sum(case((condition, value), else_=0)), 0)

    return select(
        inv.c.client_id, func.count(), total(due_now), total(or_(late_paid, open_late)),
        total(late_paid), total(late_paid, inv.c.last - inv.c.due),
        total(open_late, inv.c.amount - inv.c.paid),
        func.coalesce(func.max(case((open_late, now - inv.c.due))), 0),
        total(inv.c.issued > now - 365.0, inv.c.amount),
    ).group_by(inv.c.client_id)  # fmt: skip


def quoting_query(cut: datetime) -> Any:
    discounted = func.sum(case((QuoteRow.discount_pct > 0, 1), else_=0))
    return (
        select(QuoteRow.client_id, func.count(), discounted,
               cast(func.sum(QuoteRow.discount_pct), Float))
        .where(QuoteRow.created_at <= cut).group_by(QuoteRow.client_id)
    )  # fmt: skip


def contact_query(cut: datetime, dialect: str) -> Any:
    """The last logged contact per client; an undone activity never counts."""
    return (
        select(ActivityRow.client_id, epoch_days(func.max(ActivityRow.occurred_at), dialect))
        .where(ActivityRow.deleted_at.is_(None), ActivityRow.occurred_at <= cut)
        .group_by(ActivityRow.client_id)
    )


def epoch_days_value(moment: datetime) -> float:
    return moment.astimezone(UTC).timestamp() / 86_400.0
