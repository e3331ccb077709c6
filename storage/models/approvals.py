"""Approval chains (one per round of a quote) and the request messages they sent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base


class ApprovalChainRow(Base):
    __tablename__ = "approval_chains"
    __table_args__ = (
        UniqueConstraint("quote_id", "started_version", name="uq_approval_chains_round"),
        Index("ix_approval_chains_state_started", "state", "level_started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quotes.id", ondelete="CASCADE"), index=True)
    started_version: Mapped[int]
    levels: Mapped[list[Any]] = mapped_column(JSON)
    facts: Mapped[dict[str, Any]]
    current: Mapped[int]
    state: Mapped[str] = mapped_column(String(16))
    level_started_at: Mapped[datetime]
    reminded_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class ApprovalRequestRow(Base):
    __tablename__ = "approval_requests"
    __table_args__ = (Index("ix_approval_requests_approver_state", "approver", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    chain_id: Mapped[int] = mapped_column(
        ForeignKey("approval_chains.id", ondelete="CASCADE"), index=True
    )
    level: Mapped[int]
    approver: Mapped[str] = mapped_column(String(32))
    outbox_key: Mapped[str] = mapped_column(String(200), unique=True)
    state: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str | None] = mapped_column(String(64))
    ts: Mapped[str | None] = mapped_column(String(32))
    # SQL NULL, not JSON null, when there is none: the cycle looks for the rows with one
    pending_payload: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    updated_at: Mapped[datetime]
