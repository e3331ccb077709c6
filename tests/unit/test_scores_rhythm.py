"""The rhythm model (``domain.scores.renewal``) and what the combined model does without a
past to calibrate on: a buyer's silence judged against its own rhythm."""

from __future__ import annotations

import numpy as np
import pytest

from domain.scores.arrays import OrderArrays, aggregate, window_totals
from domain.scores.backtest import auc, backtest
from domain.scores.features import summarise
from domain.scores.model import forecast, plain_forecast
from domain.scores.renewal import PRIOR_DROPOUT, _negative_ll, fit_dropout, rhythm_outlook
from domain.scores.simulate import Population, simulate

# Steady buyers (an order every ~50 days, each on its own rhythm) of whom no one leaves
# before day 550: a calibration year (365–730) without a single departure to learn from.
LATE = Population(r=4.0, alpha=200.0, regularity=(3.0, 10.0), churn_from=550.0)


def test_the_dropout_likelihood_gradient_is_exact() -> None:
    rng = np.random.default_rng(0)
    x = rng.integers(1, 20, 500).astype(np.float64)
    log_stay = -rng.exponential(3.0, 500)
    theta = np.log([0.7, 5.0])
    _, grad = _negative_ll(theta, x, log_stay)
    step = 1e-6

    def loss(at: np.ndarray) -> float:
        return _negative_ll(at, x, log_stay)[0]

    numeric = [(loss(theta + step * e) - loss(theta - step * e)) / (2 * step) for e in np.eye(2)]
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-9)


def test_the_dropout_is_fitted_on_the_silences() -> None:
    """Buyers that are all still there (long silences impossible) give a small dropout;
    the same buyers with half of them silent for ages give a large one."""
    x = np.full(400, 6.0)
    still_there = np.full(400, np.log(0.6))  # S(R): silences well within their rhythm
    a, b = fit_dropout(x, still_there)
    half_gone = np.where(np.arange(400) % 2 == 0, np.log(0.6), np.log(1e-6))
    a2, b2 = fit_dropout(x, half_gone)
    assert a / (a + b) < 0.05 < a2 / (a2 + b2)


def _one_buyer(days: list[float], cut: float) -> np.ndarray:
    orders = OrderArrays(
        np.zeros(len(days), dtype=np.int64), np.array(days), np.full(len(days), 100.0),
        np.full(len(days), np.nan),
    )  # fmt: skip
    s = summarise(aggregate(orders, cut=cut, clients=1))
    return rhythm_outlook(s, horizon=365.0).p_alive


def test_a_clockwork_buyer_gone_quiet_is_probably_gone() -> None:
    monthly = [30.0 * i for i in range(12)]  # an order every 30 days up to day 330
    just_ordered = _one_buyer(monthly, cut=335.0)[0]
    overdue = _one_buyer(monthly, cut=330.0 + 4 * 30.0)[0]  # four gaps of silence
    assert just_ordered > 0.7
    assert overdue < 0.2
    one_order = _one_buyer([10.0], cut=400.0)
    assert np.isnan(one_order[0])  # no gap: no rhythm to judge by


def test_a_small_population_uses_the_prior_dropout() -> None:
    orders, _ = simulate(10, days=400.0, acquire_until=100.0, seed=3, population=LATE)
    s = summarise(aggregate(orders, cut=400.0, clients=10))
    assert rhythm_outlook(s, horizon=365.0).dropout == PRIOR_DROPOUT


@pytest.fixture(scope="module")
def late() -> OrderArrays:
    orders, _ = simulate(5000, days=1095.0, acquire_until=730.0, seed=5, population=LATE)
    return orders


def test_without_departures_to_learn_from_the_rhythm_model_stands(late: OrderArrays) -> None:
    """The calibration period holds too few buyers who stopped: the forecast falls back to
    the rhythm model, which still beats recency alone and BG/NBD on the holdout."""
    seen = late.until(730.0)
    fc = forecast(seen, clients=5000, cut=730.0, horizon=365.0)
    assert fc.method == "rhythm"
    results = backtest(late, clients=5000, cal_end=730.0, horizon=365.0)
    ours = results["crmbot (combined)"]
    for name in ("recency alone", "BG/NBD + Gamma-Gamma", "RFM quintile sum"):
        assert ours.auc > results[name].auc, name
    assert ours.auc > results["BG/NBD + Gamma-Gamma"].auc + 0.1


def test_one_time_buyers_from_long_ago_are_not_certainly_alive_without_calibration() -> None:
    """Churn risk (1 − p_order) must not inherit P(alive)'s flaw: in the uncalibrated path
    too, a lone order long ago means a low chance of another, unlike BG/NBD's."""
    orders, _ = simulate(4000, days=725.0, acquire_until=360.0, seed=6, population=Population())
    seen = orders.until(360.0)  # a year back from 360 is before anyone bought: no calibration
    agg = aggregate(seen, cut=360.0, clients=4000)
    s = summarise(agg)
    fc = forecast(seen, clients=4000, cut=360.0, horizon=365.0)
    assert fc.method == "rhythm"
    plain = plain_forecast(agg, 365.0)
    once = s.x == 0
    old, recent = s.index[once & (s.T > 250)], s.index[once & (s.T < 30)]
    assert old.size > 50 and recent.size > 50
    assert np.all(plain.p_alive[old] == 1.0)  # BG/NBD: a one-time buyer is certainly alive
    assert fc.p_order[old].mean() < plain.p_order[old].mean()
    assert fc.p_order[old].mean() < fc.p_order[recent].mean()
    count, _ = window_totals(orders, start=360.0, end=725.0, clients=4000)
    bought = count[s.index] > 0
    assert auc(-fc.p_order[s.index], ~bought) > auc(-plain.p_order[s.index], ~bought)
    assert (count[old] > 0).mean() < fc.p_order[recent].mean()
