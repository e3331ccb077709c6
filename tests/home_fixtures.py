"""Kept scores and tasks for the App Home and message-log tests (fakes and databases)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from domain.scores.factors import Factor
from domain.scores.record import ScoreRecord

OVERDUE = Factor("payment", "overdue", 40.0, {"amount": 1200.0, "days": 45.0})


def score(
    client_id: int,
    external_id: str,
    day: date,
    *,
    risk: int,
    next_order: date | None = None,
    factors: tuple[Factor, ...] = (OVERDUE,),
) -> ScoreRecord:
    values: dict[str, Any] = {
        "horizon_days": 365, "clv": Decimal("1000.00"), "clv_tier": "silver",
        "clv_trend": "flat", "expected_orders": 2.0, "expected_revenue": Decimal("500.00"),
        "p_active": 0.5, "churn_risk": risk, "payment_risk": risk, "profitability_risk": 0,
        "risk_score": risk,
        "risk_level": "high" if risk > 60 else "medium" if risk >= 30 else "low",
        "health_score": 100 - risk, "rfm_segment": "at_risk", "next_order_expected": next_order,
        "typical_gap_days": 30.0 if next_order else None,
        "gap_low_days": 25.0 if next_order else None,
        "gap_high_days": 35.0 if next_order else None,
        "days_since_last_order": 28.0 if next_order else None,
    }  # fmt: skip
    return ScoreRecord(
        client_id=client_id, client_external_id=external_id, as_of=day, factors=factors, **values
    )


def at(day: date, hour: int = 1) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
