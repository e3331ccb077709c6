"""Gamma-Gamma, the regressions, and the combined forecast against the plain models."""

from __future__ import annotations

import math

import numpy as np
import pytest

from domain.scores.arrays import aggregate, window_totals
from domain.scores.backtest import auc, backtest, top_share
from domain.scores.features import summarise
from domain.scores.gamma_gamma import GammaGamma, fit_gamma_gamma
from domain.scores.glm import fit_glm
from domain.scores.model import forecast, plain_forecast
from domain.scores.plain import PRIOR_BGNBD, fit_plain
from domain.scores.simulate import Population, simulate


def naive_gg(m: GammaGamma, n: int, mean: float) -> float:
    p, q, g = m.p, m.q, m.gamma
    return (
        math.lgamma(p * n + q) - math.lgamma(p * n) - math.lgamma(q) + q * math.log(g)
        + (p * n - 1) * math.log(mean) + p * n * math.log(n)
        - (p * n + q) * math.log(g + n * mean)
    )  # fmt: skip


def test_gamma_gamma_log_likelihood_equals_the_naive_one() -> None:
    model = GammaGamma(p=6.25, q=3.74, gamma=15.44)  # Fader & Hardie's CDNOW estimates
    n = np.array([1.0, 2, 5, 9])
    mean = np.array([20.0, 35.5, 12.0, 80.0])
    expected = [naive_gg(model, int(a), b) for a, b in zip(n, mean, strict=True)]
    np.testing.assert_allclose(model.log_likelihood(n, mean), expected, rtol=1e-12)
    assert model.mean == pytest.approx(6.25 * 15.44 / 2.74)


def test_gamma_gamma_fit_recovers_parameters_and_shrinks_towards_the_mean() -> None:
    rng = np.random.default_rng(3)
    p, q, gamma = 4.0, 3.0, 1500.0
    nu = rng.gamma(q, 1 / gamma, 20_000)
    n = rng.integers(1, 12, 20_000).astype(np.float64)
    mean = rng.gamma(p * n, 1 / (nu * n))  # the mean of n Gamma(p, ν) values
    fitted = fit_gamma_gamma(n, mean)
    assert fitted.p == pytest.approx(p, rel=0.1)
    assert fitted.q == pytest.approx(q, rel=0.15)
    assert fitted.mean == pytest.approx(p * gamma / (q - 1), rel=0.05)
    one, many = fitted.expected_spend(np.array([1.0, 50.0]), np.array([10_000.0, 10_000.0]))
    assert fitted.mean < one < many < 10_000.5


def test_logistic_regression_recovers_its_coefficients() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(20_000, 2))
    y = (rng.random(20_000) < 1 / (1 + np.exp(-(0.5 + 1.5 * x[:, 0] - x[:, 1])))).astype(float)
    model = fit_glm(x, y, "logistic", ridge=0.0)
    slopes = model.coef[1:] / model.spread  # back to the raw features' scale
    np.testing.assert_allclose(slopes, [1.5, -1.0], atol=0.08)


def test_poisson_regression_with_an_offset_matches_the_total() -> None:
    rng = np.random.default_rng(2)
    x = rng.normal(size=(5_000, 1))
    base = np.exp(rng.normal(size=5_000))
    y = rng.poisson(base * np.exp(0.3 + 0.4 * x[:, 0])).astype(float)
    model = fit_glm(x, y, "poisson", offset=np.log(base))
    fitted = model.predict(x, np.log(base))
    assert fitted.sum() == pytest.approx(y.sum(), rel=1e-3)  # the unpenalised intercept
    assert model.coef[1] / model.spread[0] == pytest.approx(0.4, abs=0.05)


def test_auc_and_top_share() -> None:
    positive = np.array([True, True, False, False])
    assert auc(np.array([0.9, 0.8, 0.2, 0.1]), positive) == 1.0
    assert auc(np.array([0.5, 0.5, 0.5, 0.5]), positive) == 0.5
    assert auc(np.array([0.1, 0.2, 0.8, 0.9]), positive) == 0.0
    assert top_share(np.arange(10.0), np.arange(10.0), 0.2) == pytest.approx(17 / 45)


@pytest.fixture(scope="module")
def buyers() -> tuple[object, int]:
    orders, _ = simulate(6000, days=1095.0, acquire_until=730.0, seed=4, population=Population())
    return orders, 6000


def test_combined_model_beats_plain_bgnbd_on_a_holdout(buyers: tuple[object, int]) -> None:
    orders, n = buyers
    results = backtest(orders, clients=n, cal_end=730.0, horizon=365.0)  # type: ignore[arg-type]
    ours, plain = results["crmbot (combined)"], results["BG/NBD + Gamma-Gamma"]
    assert ours.auc > plain.auc and ours.spearman > plain.spearman
    assert abs(ours.total) < 0.10
    for name, baseline in results.items():
        if name != "crmbot (combined)":
            assert ours.auc > baseline.auc and ours.spearman > baseline.spearman, name


def test_one_time_buyers_from_long_ago_are_not_certainly_alive(
    buyers: tuple[object, int],
) -> None:
    orders, n = buyers
    seen = orders.until(730.0)  # type: ignore[attr-defined]
    s = summarise(aggregate(seen, cut=730.0, clients=n))
    ours = forecast(seen, clients=n, cut=730.0, horizon=365.0)
    assert ours.method == "combined"
    old_once = s.index[(s.x == 0) & (s.T > 365)]
    assert np.all(ours.p_alive[old_once] == 1.0)  # what BG/NBD says of them
    assert ours.p_order[old_once].mean() < 0.2  # what the combined model says
    count, _ = window_totals(orders, start=730.0, end=1095.0, clients=n)  # type: ignore[arg-type]
    assert (count[old_once] > 0).mean() < 0.2  # and what they did


def test_too_little_history_falls_back_to_the_rhythm_model_then_to_priors() -> None:
    orders, _ = simulate(300, days=200.0, acquire_until=150.0, seed=2, population=Population())
    short = forecast(orders, clients=300, cut=200.0, horizon=365.0)
    assert short.method == "rhythm"  # no earlier cut a horizon back to calibrate on
    few, _ = simulate(10, days=400.0, acquire_until=300.0, seed=2, population=Population())
    tiny = plain_forecast(aggregate(few, cut=400.0, clients=10), 365.0)
    assert tiny.method == "prior"
    assert fit_plain(summarise(aggregate(few, cut=400.0, clients=10))).bg == PRIOR_BGNBD
    s = summarise(aggregate(few, cut=400.0, clients=10))
    once = s.index[s.x == 0]
    assert once.size and np.all(tiny.p_alive[once] < 0.5)  # priors let one-time buyers leave


def test_bfgs_finds_the_rosenbrock_minimum_and_ranks_match_scipy() -> None:
    from scipy.stats import rankdata

    from domain.scores.optimize import average_ranks, minimize

    def rosenbrock(x: np.ndarray) -> tuple[float, np.ndarray]:
        a, b = x
        value = (1 - a) ** 2 + 100 * (b - a * a) ** 2
        return value, np.array([-2 * (1 - a) - 400 * a * (b - a * a), 200 * (b - a * a)])

    np.testing.assert_allclose(minimize(rosenbrock, np.array([-1.2, 1.0])), [1, 1], atol=1e-4)
    values = np.random.default_rng(0).integers(0, 5, 200).astype(np.float64)
    np.testing.assert_array_equal(average_ranks(values), rankdata(values))


def test_gamma_gamma_gradient_matches_finite_differences() -> None:
    from scipy.optimize import approx_fprime

    from domain.scores.gamma_gamma import _negative_ll

    rng = np.random.default_rng(9)
    n = rng.integers(1, 9, 300).astype(np.float64)
    m = rng.gamma(3.0, 40.0, 300)
    theta = np.log([3.0, 1.5, 60.0])
    grad = _negative_ll(theta, n, m)[1]
    numeric = approx_fprime(theta, lambda th: _negative_ll(th, n, m)[0], 1e-7)
    np.testing.assert_allclose(grad, numeric, rtol=1e-4, atol=1e-7)


def test_each_buyer_group_is_calibrated_only_as_far_as_its_past_allows() -> None:
    from domain.scores.calibrated import Calibrated
    from domain.scores.features import design, offsets

    orders, _ = simulate(3000, days=700.0, acquire_until=600.0, seed=8, population=Population())
    agg = aggregate(orders, cut=700.0, clients=3000)
    s = summarise(agg)
    plain = fit_plain(s).outputs(s, 365.0)
    once, repeat = s.index[s.x == 0], s.index[s.x > 0]
    count = np.zeros(3000)
    count[repeat] = 2.0  # no repeat buyer ever stopped: nothing to correct the plain model by
    count[once[::2]] = 1.0  # half the one-time buyers came back
    revenue = count * 100.0
    fit = Calibrated.fit(s, agg, plain, count, revenue)
    assert fit.none[0] is not None and fit.none[1] is None
    count[repeat[::3]] = 0.0  # now some repeat buyers stopped…
    count[once] = 0.0
    count[once[:8]] = 1.0  # …and only a few one-time buyers came back: the pooled fit serves
    fit = Calibrated.fit(s, agg, plain, count, count * 100.0)
    lapsed = (count[s.index] == 0).astype(np.float64)
    pooled = fit_glm(design(s, agg, plain), lapsed, "logistic", offset=offsets(plain)[0])
    assert fit.none[0] is not None and fit.none[1] is not None
    np.testing.assert_allclose(fit.none[0].coef, pooled.coef)
    assert not np.allclose(fit.none[1].coef, pooled.coef)
