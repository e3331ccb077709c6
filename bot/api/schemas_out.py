"""Response bodies: the §5 fields as stored, plus what crmbot computes.

Money is a decimal string ("1250.00", exact), times are ISO-8601 UTC. Lists come in
pages: ``items`` and ``next_cursor`` (absent on the last page).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.model import ActivityType, Decision, QuoteStatus, TaskOrigin, TaskStatus


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ErrorDetail(Out):
    code: str = Field(description="A stable, machine-readable reason, e.g. not_found")
    message: str
    field: str | None = Field(None, description="The request field at fault, when one is")


class ErrorOut(Out):
    error: ErrorDetail


class ClientOut(Out):
    external_id: str
    name: str
    owner_slack_user_id: str | None
    email: str | None
    phone: str | None
    credit_limit: Decimal | None
    payment_terms_days: int | None
    tags: list[str]
    created_at: datetime | None
    acquisition_cost: Decimal | None
    placeholder: bool = Field(description="Created by an order for an unknown client")


class OrderOut(Out):
    external_id: str
    client_external_id: str
    ordered_at: datetime
    amount: Decimal
    cost: Decimal | None
    category: str | None
    items: int | None


class InvoiceOut(Out):
    external_id: str
    client_external_id: str
    issued_at: datetime
    due_at: datetime
    amount: Decimal
    order_external_id: str | None


class PaymentOut(Out):
    external_id: str
    invoice_external_id: str
    paid_at: datetime
    amount: Decimal


class DecisionOut(Out):
    level: int
    level_name: str
    approver_slack_user_id: str
    decision: Decision
    decided_at: datetime
    comment: str | None
    quote_version: int


class QuoteOut(Out):
    external_id: str
    client_external_id: str
    requested_by_slack_user_id: str
    total: Decimal
    discount_pct: Decimal
    currency: str
    valid_until: datetime | None
    created_at: datetime | None
    description: str | None
    status: QuoteStatus
    version: int = Field(description="Bumped by every decision and every change of terms")
    decisions: list[DecisionOut] = Field(description="Every approval decision, oldest first")


class ActivityOut(Out):
    id: int
    client_external_id: str
    type: ActivityType
    notes: str
    occurred_at: datetime
    author_slack_user_id: str | None
    source: str
    permalink: str | None
    created_at: datetime | None


class TaskOut(Out):
    id: int
    client_external_id: str
    title: str
    assignee_slack_user_id: str
    created_by_slack_user_id: str | None
    due_at: datetime
    status: TaskStatus
    origin: TaskOrigin
    rule: str | None
    completed_at: datetime | None
    created_at: datetime | None


class Page(Out):
    next_cursor: str | None = Field(
        None, description="Pass as ?cursor= for the next page; absent on the last page"
    )


class ClientPage(Page):
    items: list[ClientOut]


class ActivityPage(Page):
    items: list[ActivityOut]


class TaskPage(Page):
    items: list[TaskOut]


class ReceivablesOut(Out):
    current: Decimal
    overdue_0_30: Decimal
    overdue_31_60: Decimal
    overdue_61_90: Decimal
    overdue_90_plus: Decimal
    open_invoices: int
    oldest_days_overdue: int | None


class FactorOut(Out):
    kind: Literal["payment", "churn", "profitability", "contact"]
    code: str = Field(description="A stable reason code, e.g. overdue, overdue_rhythm")
    points: float = Field(description="What it adds to its risk (0–100 scale of that risk)")
    values: dict[str, float] = Field(description="The numbers behind it (days, ratio, …)")
    text: str = Field(description="The reason in one sentence")


class HealthOut(Out):
    """The CONTRACT §6 scores now, with the factors behind them: the latest the ``scores``
    job kept, or (``provisional``) the client scored alone before the job has scored it."""

    model_config = ConfigDict(extra="allow")

    client_external_id: str
    as_of: datetime
    interim: bool = Field(description="Always false: the figures are the §6 scores")
    provisional: bool = Field(description="Scored alone; the scores job has not scored it yet")
    scores_as_of: date = Field(description="The day the scores are of")
    horizon_days: int = Field(ge=1)
    health_score: int = Field(ge=0, le=100)
    risk_score: int = Field(ge=0, le=100)
    risk_level: Literal["low", "medium", "high"]
    churn_risk: int = Field(ge=0, le=100)
    payment_risk: int = Field(ge=0, le=100)
    profitability_risk: int = Field(ge=0, le=100)
    factors: list[str] = Field(description="What raised the risk, biggest first")
    factor_details: list[FactorOut] = Field(description="The same factors as data")
    clv: Decimal
    clv_tier: Literal["platinum", "gold", "silver", "bronze"]
    clv_trend: Literal["rising", "falling", "flat"]
    expected_orders: float = Field(ge=0, description="Orders expected in the horizon")
    expected_revenue: Decimal = Field(description="Revenue expected in the horizon")
    p_active: float = Field(ge=0, le=1, description="Chance of an order in the horizon")
    rfm_segment: str
    orders: int
    average_order: Decimal | None
    typical_order_gap_days: float | None
    order_gap_range_days: list[float] | None = Field(
        description="The usual range of the gaps between orders, [low, high] days"
    )
    days_since_last_order: float | None
    reorder_overdue: bool = Field(description="Silent for longer than the usual range")
    next_order_expected: datetime | None
    revenue_trend: Literal["rising", "falling", "flat"]
    receivables: ReceivablesOut
    last_contact_at: datetime | None
    open_tasks: int
    pending_quotes: int
