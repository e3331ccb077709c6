"""What the purchase models see of each buyer, derived from ``Aggregates`` at one cut.

``Summary`` is the RFM summary of the BG/NBD (repeat purchases ``x``, ``t_x``, ``T``) plus
the buyer's own rhythm: the geometric-mean gap between orders, its spread, and how many of
those gaps have passed since the last order. ``design`` turns a summary, the window totals
and the plain models' outputs into the feature matrix of the combined model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from domain.scores.arrays import Aggregates

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]


@dataclass(frozen=True)
class Summary:
    """Per buyer (clients with at least one order at the cut), by position in ``index``."""

    index: Ints  # the buyers' client indices
    orders: Floats
    x: Floats
    t_x: Floats
    T: Floats
    recency: Floats
    mean_spend: Floats
    gaps: Floats
    typical_gap: Floats  # geometric-mean gap in days; NaN without a gap of a day or more
    gap_spread: Floats  # standard deviation of the log gaps; 0 with fewer than two gaps

    @property
    def overdue(self) -> Floats:
        """Days since the last order over the typical gap; 0 without a rhythm."""
        return np.where(self.gaps > 0, self.recency / np.nan_to_num(self.typical_gap, nan=1.0), 0)


def summarise(agg: Aggregates) -> Summary:
    index = np.flatnonzero(agg.orders > 0)
    a = agg.take(index)
    gaps = a.gaps
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_log = np.where(gaps > 0, a.log_gap / np.maximum(gaps, 1), np.nan)
        var = np.where(gaps > 1, a.log_gap_sq / np.maximum(gaps, 1) - mean_log**2, 0.0)
    return Summary(
        index=index,
        orders=a.orders,
        x=a.orders - 1,
        t_x=a.last - a.first,
        T=agg.cut - a.first,
        recency=agg.cut - a.last,
        mean_spend=a.revenue / a.orders,
        gaps=gaps,
        typical_gap=np.exp(mean_log),
        gap_spread=np.sqrt(np.maximum(var, 0.0) * gaps / np.maximum(gaps - 1, 1)),
    )


@dataclass(frozen=True)
class PlainOutputs:
    """The BG/NBD and Gamma-Gamma outputs per buyer, over the horizon."""

    p_alive: Floats
    p_none: Floats
    expected: Floats
    spend: Floats
    # The rhythm model's P(no order) (``renewal``; for one-time buyers the MBG/NBD's, free to
    # leave after their one order at the rhythm model's dropout); NaN for the others.
    rhythm_none: Floats | None = None
    rhythm_dropout: tuple[float, float] | None = None  # its Beta(a, b) of leaving

    def best_none(self) -> Floats:
        """P(no order): the rhythm model's where it has one, else BG/NBD's."""
        if self.rhythm_none is None:
            return self.p_none
        return np.where(np.isnan(self.rhythm_none), self.p_none, self.rhythm_none)

    def best_expected(self) -> Floats:
        """BG/NBD's expected orders scaled by the ratio of the chances of any order
        (``best_none``'s to BG/NBD's), so that the two agree."""
        p_order, bg_order = 1 - self.best_none(), 1 - self.p_none
        with np.errstate(invalid="ignore", divide="ignore"):
            scale = np.nan_to_num(p_order / bg_order, posinf=0.0)
        return np.asarray(self.expected * scale)


def design(s: Summary, agg: Aggregates, plain: PlainOutputs) -> Floats:
    """The combined model's features, each scale-free or bounded so that a model fitted at
    an earlier cut applies at a later one (where buyers are older and have bought more):

    the plain models' predictions (log expected orders, logit P(none), log P(alive), log
    expected order value), whether the client bought only once, the rhythm (log of the
    overdue ratio and its square, log typical gap, spread of the gaps), the share of the
    client's age spent silent, and the share of the last year's orders in the last 90 days.
    """
    a = agg.take(s.index)
    overdue = np.log1p(s.overdue)
    p_none = np.clip(plain.p_none, 1e-6, 1 - 1e-6)
    columns = [
        np.log(plain.expected + 1e-3),
        np.log(p_none / (1 - p_none)),
        np.log(np.clip(plain.p_alive, 1e-9, 1.0)),
        np.log(np.maximum(plain.spend, 1e-2)),
        (s.x == 0).astype(np.float64),
        overdue,
        overdue**2,
        np.where(s.gaps > 0, np.log(np.nan_to_num(s.typical_gap, nan=1.0)), 0.0),
        s.gap_spread,
        s.recency / np.maximum(s.T, 1.0),
        a.n90 / (a.n365 + 1.0),
    ]
    return np.column_stack(columns)


def offsets(plain: PlainOutputs) -> tuple[Floats, Floats, Floats]:
    """The plain models' predictions on the link scales of the three regressions (logit of
    P(no order), log of expected orders, log of expected revenue): the combined model
    corrects them rather than starting from nothing."""
    p_none = np.clip(plain.p_none, 1e-6, 1 - 1e-6)
    return (
        np.log(p_none / (1 - p_none)),
        np.log(plain.expected + 1e-3),
        np.log(plain.expected * plain.spend + 1e-3),
    )
