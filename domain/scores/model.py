"""Forecasts over a horizon: the plain BG/NBD + Gamma-Gamma, and the combined model.

The combined model is calibrated on the data's own past, so it needs no labelled data: it
splits the history at ``cut − horizon``, describes every buyer as of that earlier cut
(``features.design``: recency, frequency, age, own rhythm, trend, spend and the plain
models' predictions, themselves fitted on data up to the earlier cut), and learns from
what each then did in ``(cut − horizon, cut]``:

- logistic regressions for P(no order in the horizon), one for one-time buyers and one for
  repeat buyers — unlike BG/NBD's P(alive), they see that a one-time buyer from long ago
  rarely comes back;
- for the clients that did order, Poisson regressions of the number of orders and of the
  revenue (quasi-Poisson), whose fitted totals match the calibration period's; expected
  orders and revenue are P(an order) × those (a hurdle model).

Each regression corrects the plain model's own prediction (an offset on its link scale)
rather than replacing it, so where the past holds no signal the plain model stands.

The fitted models are then applied to the buyers as of ``cut``. Clients without orders get
the base rate of first orders seen in the calibration period. With too little history for
the split (fewer than ``MIN_TRAIN`` buyers, or too few of either outcome) there is nothing
to calibrate on, and the rhythm model (``renewal``: each buyer's silence against its own
rhythm, with a dropout fitted on those silences) stands for buyers with a rhythm, the plain
models for the others; with too few buyers even for those, documented prior parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from domain.scores.arrays import Aggregates, OrderArrays, aggregate, window_totals
from domain.scores.calibrated import MIN_OUTCOME, Calibrated
from domain.scores.features import Summary, summarise
from domain.scores.plain import PRIOR_BGNBD, fit_plain, one_time_leavers

Floats = NDArray[np.float64]

MIN_TRAIN = 200  # buyers at the earlier cut needed to calibrate the combined model


@dataclass(frozen=True)
class Forecast:
    """Per client (index 0…n−1): the horizon's outlook, and which model made it."""

    p_order: Floats  # P(at least one order in the horizon)
    expected_orders: Floats
    expected_revenue: Floats
    p_alive: Floats  # BG/NBD's P(alive); NaN without orders
    method: str  # "combined", "rhythm" (uncalibrated), "bgnbd" (the baseline) or "prior"


def plain_forecast(agg: Aggregates, horizon: float) -> Forecast:
    """The published baseline: BG/NBD + Gamma-Gamma fitted as of ``agg.cut``."""
    s = summarise(agg)
    plain = fit_plain(s)
    out = plain.outputs(s, horizon)
    method = "prior" if plain.bg == PRIOR_BGNBD else "bgnbd"
    if method == "prior":
        out = one_time_leavers(out, s, plain.bg)
    return _spread(agg.size, s, 1 - out.p_none, out.expected, out.expected * out.spend,
                   out.p_alive, method)  # fmt: skip


def uncalibrated_forecast(agg: Aggregates, horizon: float) -> Forecast:
    """Without a past to calibrate on: the rhythm model (``renewal``) for buyers with a
    rhythm, BG/NBD for the others — one-time buyers as the MBG/NBD has them, free to leave
    after their order at the rhythm model's dropout rather than BG/NBD's certainly alive —
    and Gamma-Gamma for the spend."""
    s = summarise(agg)
    plain = fit_plain(s)
    out = plain.outputs(s, horizon, rhythm=True)
    method = "prior" if plain.bg == PRIOR_BGNBD else "rhythm"
    bg = plain.bg
    if method == "rhythm" and out.rhythm_dropout is not None:
        bg = replace(bg, a=out.rhythm_dropout[0], b=out.rhythm_dropout[1])
    out = one_time_leavers(out, s, bg)  # a lone order long ago: likely gone
    expected = out.best_expected()
    return _spread(agg.size, s, 1 - out.best_none(), expected, expected * out.spend,
                   out.p_alive, method)  # fmt: skip


def forecast(
    orders: OrderArrays,
    *,
    clients: int,
    cut: float,
    horizon: float,
    created: Floats | None = None,
    now: Aggregates | None = None,
) -> Forecast:
    """The combined model's forecast as of ``cut`` from orders dated on or before it.

    ``created`` (days; NaN unknown) keeps clients that did not exist yet at the earlier cut
    out of the first-order base rate; ``now``: the aggregates at ``cut``, when at hand.
    """
    now = now if now is not None else aggregate(orders, cut=cut, clients=clients)
    then = aggregate(orders, cut=cut - horizon, clients=clients)
    count, revenue = window_totals(orders, start=then.cut, end=cut, clients=clients)
    s_then = summarise(then)
    bought = count[s_then.index] > 0
    outcomes = min(int(bought.sum()), int((~bought).sum()))
    if s_then.index.size < MIN_TRAIN or outcomes < MIN_OUTCOME:
        return uncalibrated_forecast(now, horizon)
    plain = fit_plain(s_then)  # one set of parameters for both cuts: features mean the same
    s_now = summarise(now)
    fit = Calibrated.fit(s_then, then, plain.outputs(s_then, horizon), count, revenue)
    out = plain.outputs(s_now, horizon, rhythm=fit.needs_rhythm)
    p_order, expected, money = fit.predict(s_now, now, out)
    result = _spread(clients, s_now, p_order, expected, money, out.p_alive, "combined")
    _newcomers(result, then, count, revenue, created)
    return result


def _spread(
    clients: int, s: Summary, p_order: Floats, orders: Floats, revenue: Floats,
    p_alive: Floats, method: str,
) -> Forecast:  # fmt: skip
    """Per-buyer values placed at their clients; zeros (NaN P(alive)) for the others."""
    result = Forecast(
        np.zeros(clients), np.zeros(clients), np.zeros(clients), np.full(clients, np.nan), method
    )
    result.p_order[s.index] = p_order
    result.expected_orders[s.index] = orders
    result.expected_revenue[s.index] = revenue
    result.p_alive[s.index] = p_alive
    return result


def _newcomers(
    result: Forecast, then: Aggregates, count: Floats, revenue: Floats, created: Floats | None
) -> None:
    """Clients without orders get the calibration period's first-order rate and means."""
    never = np.flatnonzero(np.isnan(result.p_alive))  # no orders at the cut
    earlier = then.orders == 0
    if created is not None:
        earlier &= ~(created > then.cut)
    if not np.any(earlier) or never.size == 0:
        return
    result.p_order[never] = float(np.mean(count[earlier] > 0))
    result.expected_orders[never] = float(np.mean(count[earlier]))
    result.expected_revenue[never] = float(np.mean(revenue[earlier]))
