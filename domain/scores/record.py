"""One client's kept scores: what the ``scores`` job writes and the card and alerts read.

Plain data (no numpy), so that the ports and storage can name it without loading the
models.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.scores.factors import Factor


@dataclass(frozen=True)
class ScoreRecord:
    """One client's scores as kept by the ``scores`` job (history: one per as-of date)."""

    client_id: int
    client_external_id: str
    as_of: date
    horizon_days: int
    clv: Decimal
    clv_tier: str
    clv_trend: str
    expected_orders: float
    expected_revenue: Decimal
    p_active: float
    churn_risk: int
    payment_risk: int
    profitability_risk: int
    risk_score: int
    risk_level: str
    health_score: int
    rfm_segment: str
    next_order_expected: date | None
    typical_gap_days: float | None
    gap_low_days: float | None
    gap_high_days: float | None
    days_since_last_order: float | None
    factors: tuple[Factor, ...] = ()
