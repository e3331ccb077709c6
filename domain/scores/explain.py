"""The factors behind each client's scores, built column by column from a ``ScoreTable``.

A factor is listed when it adds at least ``MIN_POINTS`` to its risk. Churn factors name the
sign behind a churn risk of ``CHURN_LISTED`` or more: an order overdue against the client's
own rhythm, a lone order long ago, a slowdown, or else the forecast itself. Factors are
ordered by what they add to ``risk_score`` (payment 40 %, churn and profitability 30 %
each), contact last.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from numpy.typing import NDArray

from domain.scores.factors import Factor, Kind
from domain.scores.risk import WEIGHTS, contact_penalty
from domain.scores.scorecard import ScoreTable

Floats = NDArray[np.float64]
Bools = NDArray[np.bool_]
MIN_POINTS = 5.0
CHURN_LISTED = 30.0
OVERDUE_RATIO = 1.5
ONE_ORDER_DAYS = 90.0
UNLIKELY = 60.0

Column = tuple[Kind, str, Bools, Floats, dict[str, Floats]]


def all_factors(t: ScoreTable) -> list[tuple[Factor, ...]]:
    """Each client's factors, biggest contribution to the risk score first."""
    found: list[list[Factor]] = [[] for _ in range(t.size)]
    for kind, code, mask, points, values in _columns(t):
        for i in np.flatnonzero(mask).tolist():
            found[i].append(Factor(kind, code, float(points[i]),
                                   {k: float(v[i]) for k, v in values.items()}))  # fmt: skip
    return [tuple(sorted(f, key=_weight, reverse=True)) for f in found]


def _weight(factor: Factor) -> float:
    return WEIGHTS.get(factor.kind, 0.0) * factor.points


def _columns(t: ScoreTable) -> Iterator[Column]:
    yield from _payment(t)
    yield from _churn(t)
    yield from _profitability(t)
    days = t.inputs.cut - t.inputs.last_contact
    penalty = contact_penalty(days)
    yield "contact", "no_contact", penalty > 0, penalty, {"days": np.nan_to_num(days, nan=-1.0)}


def _listed(points: Floats) -> Bools:
    return np.asarray(points >= MIN_POINTS)


def _payment(t: ScoreTable) -> Iterator[Column]:
    b, parts = t.inputs.billing, t.payment.parts
    with np.errstate(invalid="ignore", divide="ignore"):
        avg = np.nan_to_num(b.late_days / b.settled_late)
        share = np.nan_to_num(b.overdue / b.invoiced_year, posinf=-1.0)  # −1: none invoiced
    yield "payment", "overdue", _listed(parts["overdue"]), parts["overdue"], {
        "amount": b.overdue, "days": b.oldest}  # fmt: skip
    yield "payment", "debt_share", _listed(parts["debt_share"]), parts["debt_share"], {
        "share": share}  # fmt: skip
    yield "payment", "pays_late", _listed(parts["pays_late"]), parts["pays_late"], {
        "late": b.late, "due": b.due, "avg_days": avg}  # fmt: skip


def _churn(t: ScoreTable) -> Iterator[Column]:
    churn, a, beat = t.churn.score, t.agg, t.rhythm
    listed = t.churn.has_data & (churn >= CHURN_LISTED)
    behind = listed & (np.nan_to_num(beat.overdue) >= OVERDUE_RATIO)
    lone = listed & (a.orders == 1) & (np.nan_to_num(beat.since) >= ONE_ORDER_DAYS)
    slowing = listed & (a.n90p >= 2) & (a.n90 * 2 <= a.n90p) & ~behind
    other = listed & (churn >= UNLIKELY) & ~(behind | lone | slowing)
    yield "churn", "overdue_rhythm", behind, churn, {
        "days": beat.since, "ratio": beat.overdue, "gap": beat.typical}  # fmt: skip
    yield "churn", "one_order", lone, churn, {"days": beat.since}
    yield "churn", "slowing", slowing, churn, {"recent": a.n90, "before": a.n90p}
    yield "churn", "unlikely_order", other, churn, {
        "p": t.forecast.p_order, "horizon": np.full(t.size, t.horizon)}  # fmt: skip


def _profitability(t: ScoreTable) -> Iterator[Column]:
    a, q, parts = t.agg, t.inputs.quoting, t.profitability.parts
    with np.errstate(invalid="ignore", divide="ignore"):
        now = np.nan_to_num(1 - a.cost_now / a.sales_now)
        then = np.nan_to_num(1 - a.cost_then / a.sales_then)
        year = np.nan_to_num(1 - (a.cost_now + a.cost_then) / (a.sales_now + a.sales_then))
        average = np.nan_to_num(q.discount_total / q.quotes)
    yield "profitability", "margin_down", _listed(parts["margin_down"]), parts["margin_down"], {
        "drop": then - now, "now": now}  # fmt: skip
    yield "profitability", "low_margin", _listed(parts["low_margin"]), parts["low_margin"], {
        "margin": year}  # fmt: skip
    yield "profitability", "discounts", _listed(parts["discounts"]), parts["discounts"], {
        "discounted": q.discounted, "quotes": q.quotes, "average": average}  # fmt: skip
