"""Client scores kept per as-of date: the history risk alerts and trends read."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base
from storage.models.clients import MONEY


class ClientScoreRow(Base):
    """One client's CONTRACT §6 scores as of one date, with the factors behind them."""

    __tablename__ = "client_scores"
    __table_args__ = (
        # one row per client and date: re-running a day replaces, never duplicates
        UniqueConstraint("client_id", "as_of"),
        Index("ix_client_scores_as_of", "as_of"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    as_of: Mapped[date]
    horizon_days: Mapped[int]
    computed_at: Mapped[datetime]
    clv: Mapped[Decimal] = mapped_column(MONEY)
    clv_tier: Mapped[str] = mapped_column(String(16))
    clv_trend: Mapped[str] = mapped_column(String(8))
    expected_orders: Mapped[float]
    expected_revenue: Mapped[Decimal] = mapped_column(MONEY)
    p_active: Mapped[float]
    churn_risk: Mapped[int]
    payment_risk: Mapped[int]
    profitability_risk: Mapped[int]
    risk_score: Mapped[int]
    risk_level: Mapped[str] = mapped_column(String(8))
    health_score: Mapped[int]
    rfm_segment: Mapped[str] = mapped_column(String(24))
    next_order_expected: Mapped[date | None]
    typical_gap_days: Mapped[float | None]
    gap_low_days: Mapped[float | None]
    gap_high_days: Mapped[float | None]
    days_since_last_order: Mapped[float | None]
    factors: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
