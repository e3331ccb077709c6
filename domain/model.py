"""CRM entities: plain dataclasses, free of any framework.

Money is ``Decimal``; every ``datetime`` is timezone-aware UTC.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal


class Role(enum.StrEnum):
    REP = "rep"
    MANAGER = "manager"
    FINANCE = "finance"
    ADMIN = "admin"


class ActivityType(enum.StrEnum):
    CALL = "call"
    EMAIL = "email"
    MEETING = "meeting"
    NOTE = "note"


class Surface(enum.StrEnum):
    """Where a change came from; recorded on activities and in the audit log."""

    SLASH = "slash"
    SHORTCUT = "shortcut"
    MODAL = "modal"
    BUTTON = "button"
    API = "api"
    IMPORT = "import"
    CONSOLE = "console"
    SCHEDULER = "scheduler"
    CLI = "cli"
    TEAMS = "teams"


class TaskStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class TaskOrigin(enum.StrEnum):
    MANUAL = "manual"
    AUTO_RULE = "auto-rule"


class QuoteStatus(enum.StrEnum):
    PENDING = "pending_approval"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"


class Decision(enum.StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass
class User:
    slack_user_id: str
    name: str
    email: str | None = None
    role: Role = Role.REP
    manager_slack_user_id: str | None = None
    timezone: str | None = None
    teams_user_id: str | None = None
    profile_checked_at: datetime | None = None
    id: int | None = None


@dataclass
class Client:
    external_id: str
    name: str
    owner_slack_user_id: str | None = None
    email: str | None = None
    phone: str | None = None
    credit_limit: Decimal | None = None
    payment_terms_days: int | None = None
    tags: list[str] = field(default_factory=list)
    acquisition_cost: Decimal | None = None
    created_at: datetime | None = None
    placeholder: bool = False
    id: int | None = None


@dataclass
class Contact:
    client_id: int
    name: str
    email: str | None = None
    phone: str | None = None
    title: str | None = None
    id: int | None = None


@dataclass
class Order:
    external_id: str
    client_external_id: str
    ordered_at: datetime
    amount: Decimal
    cost: Decimal | None = None
    category: str | None = None
    items: int | None = None
    id: int | None = None


@dataclass
class Invoice:
    external_id: str
    client_external_id: str
    issued_at: datetime
    due_at: datetime
    amount: Decimal
    order_external_id: str | None = None
    id: int | None = None


@dataclass
class Payment:
    external_id: str
    invoice_external_id: str
    paid_at: datetime
    amount: Decimal
    id: int | None = None


@dataclass
class Activity:
    client_id: int
    type: ActivityType
    notes: str
    occurred_at: datetime
    author_slack_user_id: str | None
    source: Surface
    permalink: str | None = None
    source_ref: str | None = None
    created_at: datetime | None = None
    deleted_at: datetime | None = None
    id: int | None = None


@dataclass
class Task:
    title: str
    assignee_slack_user_id: str
    due_at: datetime
    client_id: int | None = None
    created_by_slack_user_id: str | None = None
    status: TaskStatus = TaskStatus.OPEN
    recurrence: str | None = None
    origin: TaskOrigin = TaskOrigin.MANUAL
    rule: str | None = None
    completed_at: datetime | None = None
    created_at: datetime | None = None
    id: int | None = None


@dataclass
class Quote:
    external_id: str
    client_external_id: str
    requested_by_slack_user_id: str
    total: Decimal
    discount_pct: Decimal = Decimal(0)
    currency: str = "USD"
    valid_until: datetime | None = None
    created_at: datetime | None = None
    description: str | None = None
    status: QuoteStatus = QuoteStatus.PENDING
    version: int = 1
    id: int | None = None


@dataclass
class ApprovalDecision:
    quote_id: int
    level: int
    level_name: str
    approver_slack_user_id: str
    decision: Decision
    decided_at: datetime
    quote_version: int
    comment: str | None = None
    id: int | None = None


@dataclass
class UserPreferences:
    slack_user_id: str
    digest_hour: int = 8
    digest_days: list[str] = field(default_factory=lambda: ["mon", "tue", "wed", "thu", "fri"])
    quiet_start: str | None = None
    quiet_end: str | None = None
    alerts: dict[str, bool] = field(default_factory=dict)
    platform: str = "slack"  # where direct messages go: "slack" or "teams"


@dataclass
class AuditEntry:
    actor: str
    surface: Surface
    action: str
    entity_type: str
    entity_id: str
    details: dict[str, object] = field(default_factory=dict)
    at: datetime | None = None
    id: int | None = None


@dataclass
class OutboxMessage:
    """A message that must reach Slack exactly once; ``key`` names it logically."""

    key: str
    channel: str
    payload: dict[str, object]
    kind: str = "chat.postMessage"
    status: str = "pending"
    attempts: int = 0
    next_attempt_at: datetime | None = None
    sent_ts: str | None = None
    last_error: str | None = None
    id: int | None = None
    # the chat workspace whose bot sends it; None: the user's own, found when queued
    team_id: str | None = None
