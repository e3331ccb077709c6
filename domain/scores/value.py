"""Historical lifetime value, its tier and trend, and each client's reorder rhythm — vectorised.

CLV follows ``domain.scores.history.clv_terms`` (the card's per-client version): average
order value × orders per year × lifespan in years − acquisition cost, with orders per year
and lifespan measured over the same observed years, so it is the revenue so far less the
acquisition cost. Tiers are by configurable thresholds (``tiers``: defaults 100 000 /
50 000 / 10 000 for platinum / gold / silver; the policy file's ``[scores] tiers`` table
replaces them).

The trend compares the last 365 days' revenue — the annual run rate, which is what the
CLV grows by — with the 365 before: rising or falling beyond ±10 %, else flat.

The rhythm is a client's usual gap between orders: the geometric mean of its gaps of a day
or more, and as its usual range the middle half of a log-normal with the gaps' own spread
(``exp(mean ± 0.674 sd)`` of the log gaps), so "usually orders every 12–16 days".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from domain.scores.arrays import Aggregates
from domain.scores.features import Summary
from domain.scores.tiers import DEFAULT_TIERS

Floats = NDArray[np.float64]
TIERS = DEFAULT_TIERS  # platinum, gold, silver: at or above
TREND_BAND = 0.10
QUARTILE_Z = 0.674


def clv(agg: Aggregates, acquisition: Floats) -> Floats:
    """Revenue so far less acquisition cost, to the cent."""
    return np.asarray(np.round(agg.revenue - acquisition, 2))


def tiers(values: Floats, thresholds: Sequence[float] = TIERS) -> NDArray[np.str_]:
    platinum, gold, silver = thresholds
    return np.select(
        [values >= platinum, values >= gold, values >= silver],
        ["platinum", "gold", "silver"],
        default="bronze",
    ).astype(np.str_)


def trends(agg: Aggregates) -> NDArray[np.str_]:
    now, before = agg.r365, agg.r365p
    return np.select(
        [now > before * (1 + TREND_BAND), now < before * (1 - TREND_BAND)],
        ["rising", "falling"],
        default="flat",
    ).astype(np.str_)


@dataclass(frozen=True)
class Rhythm:
    """Per client: typical gap and its usual range in days (NaN without a gap), days since
    the last order (NaN without orders) and that over the typical gap (NaN)."""

    typical: Floats
    low: Floats
    high: Floats
    since: Floats
    overdue: Floats


def rhythm(s: Summary, clients: int) -> Rhythm:
    typical, low, high, since, overdue = (np.full(clients, np.nan) for _ in range(5))
    has = s.gaps > 0
    at = s.index[has]
    mean = np.log(s.typical_gap[has])
    typical[at] = s.typical_gap[has]
    low[at] = np.exp(mean - QUARTILE_Z * s.gap_spread[has])
    high[at] = np.exp(mean + QUARTILE_Z * s.gap_spread[has])
    since[s.index] = s.recency
    overdue[at] = s.recency[has] / s.typical_gap[has]
    return Rhythm(typical, low, high, since, overdue)


def next_order(
    r: Rhythm, *, last: Floats, cut: float, p_order: Floats, expected: Floats, horizon: float
) -> Floats:
    """The day the next order is expected (NaN: not within the horizon, or no orders).

    Last order + the typical gap while that is still ahead; otherwise (overdue, or one order)
    the mean wait at the forecast rate, horizon / expected orders, from the cut. Clients less
    likely than not to order within the horizon get none.
    """
    by_rhythm = last + r.typical
    wait = horizon / np.maximum(expected, 1e-9)
    fallback = cut + np.clip(wait, 1.0, horizon)
    when = np.where(by_rhythm > cut, by_rhythm, fallback)
    return np.where((p_order >= 0.5) & ~np.isnan(last), when, np.nan)
