"""Client scores (CONTRACT §6): pure functions of the clients' history as of a moment.

Per client, on plain lists (the health card's figures): ``history`` (historical CLV and
its terms, tiers, order rhythm, monthly revenue, trend) and ``aging`` (receivables buckets);
``tiers``: the CLV tiers' thresholds (the policy file's ``[scores] tiers``).

For every client at once, on numpy arrays (the §6 scores; not imported here, so that
importing this package does not load numpy and scipy):

- ``arrays``, ``inputs``: order histories and per-client totals as arrays, and the
  aggregates every score is built from;
- ``bgnbd``, ``gamma_gamma``, ``plain``: BG/NBD (Fader, Hardie & Lee 2005) and
  Gamma-Gamma (Fader & Hardie 2013), fitted by maximum likelihood;
- ``renewal``: the rhythm model — a buyer's silence against its own order rhythm, with a
  dropout fitted on those silences (Pareto/GGG-like) — which stands where the past holds no
  departures to calibrate on;
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
    clv_terms,
    clv_tier,
    historical_clv,
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
    "ar_aging",
    "clv_terms",
    "clv_tier",
    "format_money",
    "historical_clv",
    "monthly_revenue",
    "order_rhythm",
    "revenue_change",
    "revenue_trend",
    "risk_level",
    "sparkline",
]
