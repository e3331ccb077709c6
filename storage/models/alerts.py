"""Durable state of the digest, risk alerts and auto-task jobs."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base


class DigestRunRow(Base):
    """One user's digest of one local day: the row is the claim (inserted once)."""

    __tablename__ = "digest_runs"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    local_date: Mapped[date] = mapped_column(primary_key=True)
    claimed_at: Mapped[datetime]
    items: Mapped[int] = mapped_column(default=0)
    sent_at: Mapped[datetime | None] = mapped_column(index=True)


class RiskStateRow(Base):
    """Hysteresis per client: disarmed once alerted, armed again below ``rearm_below``."""

    __tablename__ = "risk_alert_state"

    client_id: Mapped[int] = mapped_column(
        ForeignKey("clients.id", ondelete="CASCADE"), primary_key=True
    )
    armed: Mapped[bool]
    risk_score: Mapped[int]
    changed_at: Mapped[datetime]


class RiskAlertRow(Base):
    """One rise of a client's risk to the alert threshold, and what became of it."""

    __tablename__ = "risk_alerts"
    __table_args__ = (
        Index("ix_risk_alerts_owner_raised", "owner_id", "raised_at"),
        Index("ix_risk_alerts_snoozed", "snoozed_until"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    risk_score: Mapped[int]
    factors: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    raised_at: Mapped[datetime]
    snoozed_until: Mapped[datetime | None]
    handled_at: Mapped[datetime | None]


class AlertQuotaRow(Base):
    """Alerts sent to a user on one local day, counted up to the daily cap."""

    __tablename__ = "risk_alert_quota"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    local_date: Mapped[date] = mapped_column(primary_key=True)
    sent: Mapped[int] = mapped_column(default=0)


class JobMarkRow(Base):
    """How far a throttled job got (e.g. the scores it last read), set compare-and-set."""

    __tablename__ = "job_marks"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime]
