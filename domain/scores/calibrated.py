"""The combined model's regressions, fitted on the data's own past (see ``model``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from domain.scores.arrays import Aggregates
from domain.scores.features import PlainOutputs, Summary, design, offsets
from domain.scores.glm import Glm, fit_glm

Floats = NDArray[np.float64]
MIN_OUTCOME = 20  # a group gets its own regression with this many of each outcome…
MIN_SOME = 5  # …the pooled one with at least this many; with fewer, the plain model stands


@dataclass(frozen=True)
class Calibrated:
    """The combined model's regressions, each correcting a plain prediction: whether a
    client orders at all, and how many orders and how much revenue if it does (a hurdle
    model, so that expected orders and revenue agree with the chance of any order).

    Whether a client orders is fitted for one-time and repeat buyers apart, as far as each
    group's past allows: with ``MIN_OUTCOME`` of both outcomes a group gets its own logistic
    regression; with at least ``MIN_SOME`` of each, the one fitted on both groups; with
    fewer — a past in which, say, no repeat buyer ever stopped — there is nothing to learn a
    correction from, and the rhythm model (``renewal``), which needs no such example, stands
    for buyers with a rhythm (BG/NBD for the others)."""

    none: tuple[Glm | None, Glm | None]  # one-time buyers, repeat buyers
    orders: Glm
    revenue: Glm

    @classmethod
    def fit(
        cls, s: Summary, agg: Aggregates, plain: PlainOutputs, count: Floats, revenue: Floats
    ) -> Calibrated:
        x = design(s, agg, plain)
        none_at, orders_at, revenue_at = offsets(plain)
        n, money = count[s.index], revenue[s.index]
        some = n > 0
        lapsed = (~some).astype(np.float64)

        def fitted(rows: NDArray[np.bool_]) -> Glm:
            return fit_glm(x[rows], lapsed[rows], "logistic", offset=none_at[rows])

        def outcomes(rows: NDArray[np.bool_]) -> int:
            return min(int(lapsed[rows].sum()), int((1 - lapsed[rows]).sum()))

        groups = (s.x == 0, s.x > 0)
        pooled = fitted(np.ones(s.x.size, dtype=bool)) if outcomes(s.x >= 0) >= MIN_SOME else None
        models = tuple(
            fitted(rows) if outcomes(rows) >= MIN_OUTCOME
            else pooled if outcomes(rows) >= MIN_SOME
            else None
            for rows in groups
        )  # fmt: skip
        return cls(
            (models[0], models[1]),
            fit_glm(x[some], n[some], "poisson", offset=orders_at[some]),
            fit_glm(x[some], money[some], "poisson", offset=revenue_at[some]),
        )

    @property
    def needs_rhythm(self) -> bool:
        """Whether a group has no regression, so that the rhythm model stands for it."""
        return any(model is None for model in self.none)

    def predict(
        self, s: Summary, agg: Aggregates, plain: PlainOutputs
    ) -> tuple[Floats, Floats, Floats]:
        """P(an order), expected orders and expected revenue over the horizon."""
        x = design(s, agg, plain)
        none_at, orders_at, revenue_at = offsets(plain)
        p_none = plain.best_none()  # where a group has no regression: the rhythm model's
        for model, rows in zip(self.none, (s.x == 0, s.x > 0), strict=True):
            if model is not None and rows.any():
                p_none[rows] = model.predict(x[rows], none_at[rows])
        p_order = 1 - p_none
        per_buyer = np.maximum(self.orders.predict(x, orders_at), 1.0)
        return p_order, p_order * per_buyer, p_order * self.revenue.predict(x, revenue_at)
