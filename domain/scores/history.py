"""Scores from a client's history: pure functions of orders and invoices as of ``now``.

The health card's per-client figures beside the CONTRACT §6 scores (``scorecard``). Every function
ignores anything dated after ``now``. Money stays ``Decimal``; ratios and day counts are
floats, which are never shown as money.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise
from typing import Literal

from domain.ports_chat import OrderLine
from domain.scores.aging import ZERO, ar_aging
from domain.scores.tiers import DEFAULT_TIERS

__all__ = [
    "ClvTerms",
    "OrderRhythm",
    "RevenueChange",
    "ar_aging",
    "clv_terms",
    "clv_tier",
    "historical_clv",
    "monthly_revenue",
    "order_rhythm",
    "revenue_change",
    "revenue_trend",
    "risk_level",
    "sparkline",
]

DAY = 86_400.0
YEAR_DAYS = Decimal("365.25")
MIN_YEARS = Decimal(1) / Decimal(12)  # one month: a first order today is not a 0-year lifespan
CENT = Decimal("0.01")
TIERS = tuple(Decimal(str(t)) for t in DEFAULT_TIERS)  # platinum, gold, silver
SPARKS = "▁▂▃▄▅▆▇█"
TREND_DAYS = 90
TREND_BAND = Decimal("0.10")
Trend = Literal["rising", "falling", "flat"]
Level = Literal["low", "medium", "high"]


def _days(delta: timedelta) -> Decimal:
    """A duration in days, exactly (microsecond resolution)."""
    return Decimal(delta // timedelta(microseconds=1)) / Decimal(86_400_000_000)


def _until(orders: Iterable[OrderLine], now: datetime) -> list[OrderLine]:
    return sorted((o for o in orders if o.ordered_at <= now), key=lambda o: o.ordered_at)


@dataclass(frozen=True)
class ClvTerms:
    """The terms of the historical CLV formula, kept so the card can explain the number."""

    orders: int
    average_order: Decimal
    orders_per_year: Decimal
    lifespan_years: Decimal
    acquisition_cost: Decimal
    clv: Decimal


def clv_terms(
    orders: Iterable[OrderLine], *, acquisition_cost: Decimal | None, now: datetime
) -> ClvTerms:
    """Historical CLV = average order value × orders per year × lifespan in years − acquisition.

    - lifespan in years: first order → ``now`` in days / 365.25, at least one month (1/12);
    - orders per year: orders / the same observed years (so with the floor, at most 12 × the
      order count), which keeps a brand-new client from being extrapolated to a full year;
    - a client without orders is worth minus its acquisition cost (0 when unknown).
    With both periods measured alike the first three terms multiply to the revenue so far:
    historical CLV is what the client has brought in, less what winning it cost. The result
    is rounded to the cent.
    """
    seen = _until(orders, now)
    cost = acquisition_cost or ZERO
    if not seen:
        return ClvTerms(0, ZERO, ZERO, ZERO, cost, -cost)
    revenue = sum((o.amount for o in seen), ZERO)
    span = _days(now - seen[0].ordered_at) / YEAR_DAYS
    years = max(span, MIN_YEARS)
    average = revenue / len(seen)
    per_year = len(seen) / years
    clv = (average * per_year * years - cost).quantize(CENT, rounding=ROUND_HALF_UP)
    return ClvTerms(len(seen), average, per_year, years, cost, clv)


def historical_clv(
    orders: Iterable[OrderLine], *, acquisition_cost: Decimal | None, now: datetime
) -> Decimal:
    """The historical CLV (see ``clv_terms`` for the rules)."""
    return clv_terms(orders, acquisition_cost=acquisition_cost, now=now).clv


def clv_tier(clv: Decimal, thresholds: Sequence[Decimal | int] = TIERS) -> str:
    """``platinum`` / ``gold`` / ``silver`` at or above thresholds (100k, 50k, 10k), else bronze."""
    platinum, gold, silver = (Decimal(t) for t in thresholds)
    if clv >= platinum:
        return "platinum"
    if clv >= gold:
        return "gold"
    if clv >= silver:
        return "silver"
    return "bronze"


@dataclass(frozen=True)
class OrderRhythm:
    orders: int
    typical_gap_days: float | None  # median gap; None with fewer than two buying days
    days_since_last: float | None  # None without orders
    expected_next: datetime | None  # last order + typical gap
    overdue_ratio: float | None  # days since last / typical gap


def order_rhythm(orders: Iterable[OrderLine], now: datetime) -> OrderRhythm:
    """How often the client buys: the median gap between consecutive orders, in days.

    Orders less than a day apart are one purchase occasion (a split order), so gaps under
    one day are left out of the median.
    """
    seen = _until(orders, now)
    if not seen:
        return OrderRhythm(0, None, None, None, None)
    last = seen[-1].ordered_at
    since = (now - last).total_seconds() / DAY
    gaps = [(b.ordered_at - a.ordered_at).total_seconds() / DAY for a, b in pairwise(seen)]
    gaps = [g for g in gaps if g >= 1]
    if not gaps:
        return OrderRhythm(len(seen), None, since, None, None)
    typical = float(statistics.median(gaps))
    return OrderRhythm(len(seen), typical, since, last + timedelta(days=typical), since / typical)


def monthly_revenue(orders: Iterable[OrderLine], now: datetime, months: int = 12) -> list[Decimal]:
    """Revenue per calendar month (UTC), oldest first; the last is ``now``'s month to date."""
    totals = [ZERO] * months
    current = now.year * 12 + now.month - 1
    for order in _until(orders, now):
        back = current - (order.ordered_at.year * 12 + order.ordered_at.month - 1)
        if 0 <= back < months:
            totals[months - 1 - back] += order.amount
    return totals


def sparkline(values: Sequence[Decimal | float | int]) -> str:
    """One of ``▁▂▃▄▅▆▇█`` per value, scaled from min(0, lowest) to the highest value.

    Zero is the baseline, so an empty month reads as ``▁`` and steady revenue as full
    bars; with nothing above the baseline (all zero) every bar is ``▁``.
    """
    if not values:
        return ""
    low = min(0.0, *(float(v) for v in values))
    high = max(float(v) for v in values)
    if high <= low:
        return SPARKS[0] * len(values)
    top = len(SPARKS) - 1
    return "".join(SPARKS[math.floor((float(v) - low) / (high - low) * top + 0.5)] for v in values)


@dataclass(frozen=True)
class RevenueChange:
    recent: Decimal  # the last 90 days, (now − 90d, now]
    previous: Decimal  # the 90 before, (now − 180d, now − 90d]
    trend: Trend

    @property
    def percent(self) -> int | None:
        """Change from the previous period in whole percent; None when it had nothing."""
        if self.previous <= 0:
            return None
        change = (self.recent - self.previous) / self.previous * 100
        return int(change.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def revenue_change(orders: Iterable[OrderLine], now: datetime) -> RevenueChange:
    """Rising/falling when the last 90 days differ by more than 10 % from the 90 before.

    Exactly ±10 % is flat. With nothing in the earlier period, any revenue now is rising.
    """
    cut = now - timedelta(days=TREND_DAYS)
    start = cut - timedelta(days=TREND_DAYS)
    seen = _until(orders, now)
    recent = sum((o.amount for o in seen if o.ordered_at > cut), ZERO)
    previous = sum((o.amount for o in seen if start < o.ordered_at <= cut), ZERO)
    trend: Trend = "flat"
    if recent > previous * (1 + TREND_BAND):
        trend = "rising"
    elif recent < previous * (1 - TREND_BAND):
        trend = "falling"
    return RevenueChange(recent, previous, trend)


def revenue_trend(orders: Iterable[OrderLine], now: datetime) -> Trend:
    return revenue_change(orders, now).trend


def risk_level(score: float) -> Level:
    """CONTRACT §6: low below 30, medium 30–60, high above 60."""
    if score < 30:
        return "low"
    return "medium" if score <= 60 else "high"
