"""Client scores (CONTRACT §6): pure functions of a client's history as of a moment.

``history`` holds what the health card uses today (historical CLV and tier, order rhythm,
monthly revenue and trend, and an interim risk score); ``aging`` the receivables buckets.
The Scores issue adds the predictive scores next to them.
"""

from domain.scores.aging import Aging, ar_aging, format_money
from domain.scores.history import (
    ClvTerms,
    OrderRhythm,
    RevenueChange,
    RiskAssessment,
    RiskInputs,
    clv_terms,
    clv_tier,
    historical_clv,
    interim_risk,
    monthly_revenue,
    order_rhythm,
    revenue_change,
    revenue_trend,
    risk_level,
    sparkline,
)

__all__ = [
    "Aging",
    "ClvTerms",
    "OrderRhythm",
    "RevenueChange",
    "RiskAssessment",
    "RiskInputs",
    "ar_aging",
    "clv_terms",
    "clv_tier",
    "format_money",
    "historical_clv",
    "interim_risk",
    "monthly_revenue",
    "order_rhythm",
    "revenue_change",
    "revenue_trend",
    "risk_level",
    "sparkline",
]
