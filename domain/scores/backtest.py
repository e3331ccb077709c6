"""Backtest: fit on a calibration period, score a holdout, against published baselines.

Every method sees only the orders dated on or before ``cal_end`` and ranks (or forecasts)
the clients that had bought by then; the holdout ``(cal_end, cal_end + horizon]`` says what
they did. Metrics:

- ``auc``: ROC AUC of the method's "no order in the holdout" score (Mann-Whitney, ties
  counted half);
- ``spearman`` / ``pearson``: rank and linear correlation of the forecast revenue with the
  holdout revenue (Pearson only for methods that forecast money);
- ``top10``: share of the holdout revenue bought by the 10 % the method ranks highest;
- ``total``: (forecast total − actual total) / actual total, for methods that forecast money.

Baselines: recency alone, frequency alone, the RFM quintile sum, and the plain BG/NBD +
Gamma-Gamma (Fader, Hardie & Lee 2005; Fader & Hardie 2013).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from domain.scores.arrays import OrderArrays, aggregate, window_totals
from domain.scores.model import forecast, plain_forecast
from domain.scores.optimize import average_ranks
from domain.scores.rfm import rfm_scores

Floats = NDArray[np.float64]


@dataclass(frozen=True)
class Metrics:
    auc: float
    spearman: float
    pearson: float  # NaN: the method forecasts no money
    top10: float
    total: float  # NaN: the method forecasts no money


def auc(score: Floats, positive: NDArray[np.bool_]) -> float:
    """ROC AUC of ``score`` for ``positive`` (Mann-Whitney U over the average ranks)."""
    pos, neg = int(positive.sum()), int((~positive).sum())
    if not pos or not neg:
        return math.nan
    ranks = average_ranks(score)
    return float((ranks[positive].sum() - pos * (pos + 1) / 2) / (pos * neg))


def top_share(score: Floats, actual: Floats, share: float = 0.10) -> float:
    """The share of ``actual`` held by the ``share`` of rows with the highest ``score``."""
    k = max(1, round(score.size * share))
    top = np.argsort(-score, kind="stable")[:k]
    total = actual.sum()
    return float(actual[top].sum() / total) if total > 0 else math.nan


def evaluate(
    no_order: Floats, revenue: Floats, actual_orders: Floats, actual: Floats, *, money: bool
) -> Metrics:
    """The metrics of one method's scores against the holdout."""
    rho = float(np.corrcoef(average_ranks(revenue), average_ranks(actual))[0, 1])  # Spearman
    pearson = float(np.corrcoef(revenue, actual)[0, 1]) if money else math.nan
    total = float(revenue.sum() / actual.sum() - 1) if money else math.nan
    return Metrics(auc(no_order, actual_orders == 0), rho, pearson, top_share(revenue, actual),
                   total)  # fmt: skip


Method = Callable[[OrderArrays, int, float, float], tuple[Floats, Floats, bool]]


def _ours(
    orders: OrderArrays, clients: int, cut: float, horizon: float
) -> tuple[Floats, Floats, bool]:
    result = forecast(orders, clients=clients, cut=cut, horizon=horizon)
    return 1 - result.p_order, result.expected_revenue, True


def _plain(
    orders: OrderArrays, clients: int, cut: float, horizon: float
) -> tuple[Floats, Floats, bool]:
    result = plain_forecast(aggregate(orders, cut=cut, clients=clients), horizon)
    return 1 - result.p_order, result.expected_revenue, True


def _simple(kind: str) -> Method:
    def method(
        orders: OrderArrays, clients: int, cut: float, horizon: float
    ) -> tuple[Floats, Floats, bool]:
        agg = aggregate(orders, cut=cut, clients=clients)
        recency = np.where(agg.orders > 0, cut - np.nan_to_num(agg.last), np.inf)
        if kind == "recency":
            score = -recency
        elif kind == "frequency":
            score = agg.orders
        else:
            r, f, m = rfm_scores(recency, agg.orders, agg.revenue)
            score = (r + f + m).astype(np.float64)
        return -score, score, False

    return method


METHODS: dict[str, Method] = {
    "recency alone": _simple("recency"),
    "frequency alone": _simple("frequency"),
    "RFM quintile sum": _simple("rfm"),
    "BG/NBD + Gamma-Gamma": _plain,
    "crmbot (combined)": _ours,
}


def backtest(
    orders: OrderArrays, *, clients: int, cal_end: float, horizon: float
) -> dict[str, Metrics]:
    """Every method's metrics on the clients that had bought by ``cal_end``."""
    seen = orders.until(cal_end)
    count, revenue = window_totals(orders, start=cal_end, end=cal_end + horizon, clients=clients)
    buyers = np.flatnonzero(np.bincount(seen.client, minlength=clients) > 0)
    results = {}
    for name, method in METHODS.items():
        no_order, forecast_revenue, money = method(seen, clients, cal_end, horizon)
        results[name] = evaluate(no_order[buyers], forecast_revenue[buyers], count[buyers],
                                 revenue[buyers], money=money)  # fmt: skip
    return results
