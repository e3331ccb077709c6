"""Client scores (CONTRACT §6): pure functions of the clients' history as of a moment.

Per client, on plain lists (the health card's figures): ``history`` (historical CLV and
its terms, tiers, order rhythm, monthly revenue, trend, and the interim risk the REST
health payload still uses) and ``aging`` (receivables buckets).

For every client at once, on numpy arrays (the §6 scores; not imported here, so that
importing this package does not load numpy and scipy):

- ``arrays``, ``inputs``: order histories and per-client totals as arrays, and the
  aggregates every score is built from;
- ``bgnbd``, ``gamma_gamma``, ``plain``: BG/NBD (Fader, Hardie & Lee 2005) and
  Gamma-Gamma (Fader & Hardie 2013), fitted by maximum likelihood;
- ``features``, ``glm``, ``calibrated``, ``model``: the combined model, calibrated on the
  data's own past;
- ``risk``, ``rfm``, ``value``: payment/profitability/churn risk, health, RFM segments,
  CLV tiers and trend, reorder rhythm;
- ``scorecard``, ``explain``, ``table``, ``record``, ``factors``: the whole table, the
  factors behind each score, the §6 rows and the records the ``scores`` job keeps;
- ``simulate``, ``backtest``: buyers with known behaviour, and the holdout evaluation
  (``bench/backtest.py``).
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
