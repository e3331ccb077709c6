"""What account managers do: activities and tasks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base


class ActivityRow(Base):
    __tablename__ = "activities"
    __table_args__ = (
        Index("ix_activities_client_occurred", "client_id", "occurred_at"),
        Index("ix_activities_source_ref", "source_ref"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(16))
    notes: Mapped[str] = mapped_column(Text)
    occurred_at: Mapped[datetime]
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    source: Mapped[str] = mapped_column(String(16))
    permalink: Mapped[str | None] = mapped_column(String(500))
    # e.g. "C123:1700000000.000100" for a message logged by the shortcut
    source_ref: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime]
    deleted_at: Mapped[datetime | None]


class TaskRow(Base):
    __tablename__ = "tasks"
    __table_args__ = (
        Index("ix_tasks_assignee_status_due", "assignee_id", "status", "due_at"),
        Index("ix_tasks_status_remind", "status", "remind_at"),
        Index("ix_tasks_client_rule_status", "client_id", "rule", "status"),
        # at most one open task per client and auto-task rule, whoever tries to add one
        Index(
            "uq_tasks_open_rule",
            "client_id",
            "rule",
            unique=True,
            sqlite_where=text("status = 'open' AND rule IS NOT NULL"),
            postgresql_where=text("status = 'open' AND rule IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    assignee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(Text)
    due_at: Mapped[datetime]
    # when the next reminder is due; NULL once reminded (a snooze sets it again)
    remind_at: Mapped[datetime | None]
    lease_until: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]  # when the last reminder was queued
    status: Mapped[str] = mapped_column(String(16), default="open")
    recurrence: Mapped[str | None] = mapped_column(String(64))
    origin: Mapped[str] = mapped_column(String(16), default="manual")
    rule: Mapped[str | None] = mapped_column(String(64))
    completed_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(default=1)
