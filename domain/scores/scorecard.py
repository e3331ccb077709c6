"""Every client's scores as of one cut (CONTRACT §6), computed set-wise from ``ScoringInputs``.

``score`` runs the whole pipeline over arrays — aggregates, the combined forecast, the three
risks, health, RFM, value and rhythm — with no Python loop per client; ``explain`` and
``table`` turn a client's entries into factors and output rows when they are needed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from domain.scores.arrays import Aggregates, aggregate
from domain.scores.features import summarise
from domain.scores.inputs import ScoringInputs
from domain.scores.model import Forecast, forecast
from domain.scores.rfm import PROSPECT, rfm_scores, segments
from domain.scores.risk import (
    Risk,
    churn_risk,
    health,
    levels,
    payment_risk,
    profitability_risk,
    risk_score,
)
from domain.scores.value import TIERS, Rhythm, clv, next_order, rhythm, tiers, trends

Floats = NDArray[np.float64]
Strings = NDArray[np.str_]


@dataclass(frozen=True)
class ScoreTable:
    """One entry per client of ``inputs``; risks are whole numbers 0–100."""

    inputs: ScoringInputs
    horizon: float
    agg: Aggregates
    forecast: Forecast
    clv: Floats
    tier: Strings
    clv_trend: Strings
    payment: Risk
    profitability: Risk
    churn: Risk
    risk: Floats
    level: Strings
    health: Floats
    segment: Strings
    rhythm: Rhythm
    next_order: Floats  # day; NaN none

    @property
    def size(self) -> int:
        return self.inputs.size


def score(
    inputs: ScoringInputs, *, horizon: float, thresholds: Sequence[float] = TIERS
) -> ScoreTable:
    n, cut = inputs.size, inputs.cut
    agg = aggregate(inputs.orders, cut=cut, clients=n)
    fc = _finite(
        forecast(inputs.orders, clients=n, cut=cut, horizon=horizon, created=inputs.created,
                 now=agg)
    )  # fmt: skip
    bought = agg.orders > 0
    payment = _rounded(payment_risk(inputs.billing))
    profitability = _rounded(profitability_risk(agg, inputs.quoting))
    churn = _rounded(churn_risk(fc.p_order, bought))
    risk = np.rint(risk_score(payment, churn, profitability))
    value, segment = _rfm(agg)
    s = summarise(agg)
    beat = rhythm(s, n)
    since_contact = cut - inputs.last_contact
    worth = clv(agg, inputs.acquisition)
    return ScoreTable(
        inputs=inputs, horizon=horizon, agg=agg, forecast=fc,
        clv=worth, tier=tiers(worth, thresholds), clv_trend=trends(agg),
        payment=payment, profitability=profitability, churn=churn,
        risk=risk, level=levels(risk),
        health=np.rint(health(risk, value, since_contact)), segment=segment, rhythm=beat,
        next_order=next_order(beat, last=agg.last, cut=cut, p_order=fc.p_order,
                              expected=fc.expected_orders, horizon=horizon),
    )  # fmt: skip


def _finite(fc: Forecast) -> Forecast:
    """A forecast every column of which can be printed and kept: probabilities within
    [0, 1], expectations finite and non-negative (a numerical failure reads as none)."""
    return replace(
        fc,
        p_order=np.clip(np.nan_to_num(fc.p_order), 0.0, 1.0),
        expected_orders=np.clip(np.nan_to_num(fc.expected_orders, posinf=0.0), 0.0, None),
        expected_revenue=np.clip(np.nan_to_num(fc.expected_revenue, posinf=0.0), 0.0, None),
    )


def _rounded(risk: Risk) -> Risk:
    """Whole points, so that ``risk_score`` can be checked from the printed columns."""
    return Risk(np.rint(risk.score), risk.has_data, risk.parts)


def _rfm(agg: Aggregates) -> tuple[Floats, Strings]:
    """RFM value 0–100 ((R + F + M − 3) / 12) and segment; prospects get 0 and ``prospect``."""
    bought = np.flatnonzero(agg.orders > 0)
    value = np.zeros(agg.size)
    segment = np.full(agg.size, PROSPECT, dtype=object)
    if bought.size:
        b = agg.take(bought)
        r, f, m = rfm_scores(agg.cut - b.last, b.orders, b.revenue)
        value[bought] = (r + f + m - 3) / 12 * 100
        segment[bought] = segments(r, f)
    return value, segment.astype(np.str_)
