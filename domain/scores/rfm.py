"""RFM scores and segments: recency, frequency and monetary quintiles across the clients.

Each of R (days since the last order: fewer is better), F (orders) and M (revenue) is scored
1–5 by the client's quintile among the clients with orders as of the cut; ties share the
quintile of their average rank, so the many one-order clients all get the same F. With
fewer than 50 buyers, fixed bands instead: R by 30/60/120/240 days, F by 2/3/5/10 orders,
M by 1 000/5 000/25 000/100 000 of revenue.

Segments follow the widely used R × F grid (M breaks no ties there; it feeds health):

=================  =====================================================
``champions``      R 5, F 4–5: bought recently, buy often
``loyal``          R 3–4, F 4–5
``potential_loyalist``  R 4–5, F 2–3
``new``            R 5, F 1: a recent first order
``promising``      R 4, F 1
``need_attention`` R 3, F 3
``about_to_sleep`` R 3, F 1–2
``at_risk``        R 1–2, F 3–4: used to buy often, not lately
``cant_lose``      R 1–2, F 5: the best buyers, gone quiet
``hibernating``    R 2, F 1–2
``lost``           R 1, F 1–2
``prospect``       no orders yet
=================  =====================================================
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from domain.scores.optimize import average_ranks

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]

PROSPECT = "prospect"
MIN_QUINTILES = 50
# fixed bands for small populations: lower bounds of the scores 2, 3, 4 and 5
RECENCY_BANDS = (-240.0, -120.0, -60.0, -30.0)  # minus days since the last order
ORDER_BANDS = (2.0, 3.0, 5.0, 10.0)
REVENUE_BANDS = (1_000.0, 5_000.0, 25_000.0, 100_000.0)
# _GRID[R − 1][F − 1]
_GRID = (
    ("lost", "lost", "at_risk", "at_risk", "cant_lose"),
    ("hibernating", "hibernating", "at_risk", "at_risk", "cant_lose"),
    ("about_to_sleep", "about_to_sleep", "need_attention", "loyal", "loyal"),
    ("promising", "potential_loyalist", "potential_loyalist", "loyal", "loyal"),
    ("new", "potential_loyalist", "potential_loyalist", "champions", "champions"),
)
SEGMENTS = (*dict.fromkeys(s for row in _GRID for s in row), PROSPECT)


def quintile(values: Floats) -> Ints:
    """1–5 by average rank, higher values scoring higher; an empty input gives an empty one."""
    if values.size == 0:
        return np.zeros(0, dtype=np.int64)
    share = average_ranks(values) / values.size
    return np.clip(np.ceil(share * 5 - 1e-9), 1, 5).astype(np.int64)


def rfm_scores(recency: Floats, orders: Floats, revenue: Floats) -> tuple[Ints, Ints, Ints]:
    """R, F and M of buyers (recency in days since the last order): quintiles, or with fewer
    than ``MIN_QUINTILES`` buyers (a quintile of three clients means nothing) fixed bands."""
    if recency.size < MIN_QUINTILES:
        return (
            _band(-recency, RECENCY_BANDS),
            _band(orders, ORDER_BANDS),
            _band(revenue, REVENUE_BANDS),
        )
    return quintile(-recency), quintile(orders), quintile(revenue)


def _band(values: Floats, edges: tuple[float, ...]) -> Ints:
    """1 + the number of ``edges`` (ascending lower bounds of scores 2–5) at or below."""
    return 1 + np.searchsorted(np.array(edges), values, side="right").astype(np.int64)


def segments(r: Ints, f: Ints) -> NDArray[np.str_]:
    """The segment name of each (R, F) pair."""
    return np.array(_GRID, dtype=np.str_)[r - 1, f - 1]
