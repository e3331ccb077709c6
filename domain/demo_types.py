"""Records of the demo data set that reference clients and quotes by ``external_id``.

The entity classes of :mod:`domain.model` that already carry external ids (clients, orders,
invoices, payments, quotes) are used as they are; activities, tasks and approval decisions
reference database ids there, so the demo set has its own variants keyed by external id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from domain.model import (
    ActivityType,
    Client,
    Decision,
    Invoice,
    Order,
    Payment,
    Quote,
    Surface,
    TaskOrigin,
    TaskStatus,
    User,
)


@dataclass
class DemoActivity:
    client_external_id: str
    type: ActivityType
    notes: str
    occurred_at: datetime
    author_slack_user_id: str | None
    source: Surface = Surface.SLASH
    permalink: str | None = None
    created_at: datetime | None = None


@dataclass
class DemoTask:
    title: str
    assignee_slack_user_id: str
    due_at: datetime
    client_external_id: str | None = None
    created_by_slack_user_id: str | None = None
    status: TaskStatus = TaskStatus.OPEN
    origin: TaskOrigin = TaskOrigin.MANUAL
    completed_at: datetime | None = None
    created_at: datetime | None = None


@dataclass
class DemoDecision:
    """One approval decision; ``level`` is the 1-based position of the level in the policy
    (1 = "manager", 2 = "finance" in the built-in default policy)."""

    quote_external_id: str
    level: int
    level_name: str
    approver_slack_user_id: str
    decision: Decision
    decided_at: datetime
    comment: str | None = None


@dataclass
class DemoData:
    users: list[User] = field(default_factory=list)
    clients: list[Client] = field(default_factory=list)
    orders: list[Order] = field(default_factory=list)
    invoices: list[Invoice] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)
    activities: list[DemoActivity] = field(default_factory=list)
    tasks: list[DemoTask] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    decisions: list[DemoDecision] = field(default_factory=list)
