"""BG/NBD: the vectorised formulas against naive ones, published values and a recovery fit."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import approx_fprime
from scipy.special import hyp2f1

from domain.scores.arrays import aggregate
from domain.scores.bgnbd import BgNbd, fit_bgnbd, negative_ll
from domain.scores.features import summarise
from domain.scores.simulate import Population, simulate

# Fader, Hardie & Lee (2005), the CDNOW sample, time in weeks
CDNOW = BgNbd(r=0.243, alpha=4.414, a=0.793, b=2.426)


def naive_ll(m: BgNbd, x: int, t_x: float, T: float) -> float:
    """FHL 2005 eq. (6), one buyer at a time, straight from the paper."""
    r, alpha, a, b = m.r, m.alpha, m.a, m.b

    def beta(p: float, q: float) -> float:
        return math.exp(math.lgamma(p) + math.lgamma(q) - math.lgamma(p + q))

    head = math.gamma(r + x) * alpha**r / math.gamma(r)
    stay = beta(a, b + x) / beta(a, b) / (alpha + T) ** (r + x)
    left = 0.0
    if x > 0:
        left = beta(a + 1, b + x - 1) / beta(a, b) / (alpha + t_x) ** (r + x)
    return math.log(head * (stay + left))


def small_sample() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(5)
    T = rng.uniform(20, 39, 200)
    x = rng.poisson(1.5, 200).astype(np.float64)
    t_x = np.where(x > 0, T * rng.uniform(0.1, 1.0, 200), 0.0)
    return x, t_x, T


def test_vectorised_log_likelihood_equals_the_naive_one_at_cdnow_parameters() -> None:
    x, t_x, T = small_sample()
    fast = CDNOW.log_likelihood(x, t_x, T)
    slow = [naive_ll(CDNOW, int(a), b, c) for a, b, c in zip(x, t_x, T, strict=True)]
    np.testing.assert_allclose(fast, slow, rtol=1e-10)
    assert fast.sum() == pytest.approx(sum(slow), rel=1e-10)


def test_conditional_expectation_matches_the_published_cdnow_example() -> None:
    # FHL 2005 / Hardie's spreadsheet: x=2, t_x=30.43, T=38.86 → 1.226 in the next 39 weeks
    one = np.array
    expected = CDNOW.expected(39.0, one([2.0]), one([30.43]), one([38.86]))
    assert expected[0] == pytest.approx(1.226, abs=5e-4)


@pytest.mark.parametrize(
    ("weeks", "published"),
    [(1.0, 0.0532), (3.0, 0.1506), (32.0, 1.0437), (78.0, 1.8576)],
)
def test_unconditional_expectation_matches_the_published_curve(
    weeks: float, published: float
) -> None:
    # the published parameters are rounded to three decimals, hence 0.3 %
    assert CDNOW.expected_new(weeks) == pytest.approx(published, rel=3e-3)


def test_euler_transformed_expectation_equals_the_papers_form() -> None:
    x = np.array([0.0, 1, 3, 7, 12])
    t_x = np.array([0.0, 10, 25, 30, 35])
    T = np.array([38.0, 38, 38, 38, 38])
    t, m = 52.0, CDNOW
    z = t / (m.alpha + T + t)
    bracket = 1 - ((m.alpha + T) / (m.alpha + T + t)) ** (m.r + x) * hyp2f1(
        m.r + x, m.b + x, m.a + m.b + x - 1, z
    )
    paper = (m.a + m.b + x - 1) / (m.a - 1) * bracket * m.p_alive(x, t_x, T)
    np.testing.assert_allclose(m.expected(t, x, t_x, T), paper, rtol=1e-9)


def test_p_alive_calls_every_one_time_buyer_certainly_alive() -> None:
    # the flaw the combined model corrects: no repeat purchase, no dropout possible
    T = np.array([1.0, 100.0, 1000.0])
    assert np.all(CDNOW.p_alive(np.zeros(3), np.zeros(3), T) == 1.0)
    assert np.all(CDNOW.p_alive_once(T)[1:] < CDNOW.p_alive_once(T)[:-1])


def test_p_none_is_one_for_no_time_and_falls_with_the_horizon() -> None:
    x, t_x, T = small_sample()
    assert np.allclose(CDNOW.p_none(0.0, x, t_x, T), 1.0)
    assert np.all(CDNOW.p_none(52.0, x, t_x, T) < CDNOW.p_none(10.0, x, t_x, T))


def test_analytic_gradient_matches_finite_differences() -> None:
    x, t_x, T = small_sample()
    weight = np.ones_like(x)
    theta = np.log([0.5, 6.0, 0.9, 2.0])
    value, grad = negative_ll(theta, x, t_x, T, weight)
    numeric = approx_fprime(theta, lambda th: negative_ll(th, x, t_x, T, weight)[0], 1e-7)
    np.testing.assert_allclose(grad, numeric, rtol=1e-4, atol=1e-7)
    assert value == pytest.approx(-np.mean(BgNbd(0.5, 6.0, 0.9, 2.0).log_likelihood(x, t_x, T)))


def test_maximum_likelihood_recovers_known_parameters() -> None:
    truth = BgNbd(r=0.8, alpha=20.0, a=0.6, b=3.0)
    pop = Population.bgnbd(truth.r, truth.alpha, truth.a, truth.b).plain()
    orders, _ = simulate(8000, days=700.0, acquire_until=365.0, seed=11, population=pop)
    s = summarise(aggregate(orders, cut=700.0, clients=8000))
    fitted = fit_bgnbd(s.x, s.t_x, s.T)
    assert fitted.r == pytest.approx(truth.r, rel=0.15)
    assert fitted.alpha == pytest.approx(truth.alpha, rel=0.15)
    assert fitted.a == pytest.approx(truth.a, rel=0.25)
    assert fitted.b == pytest.approx(truth.b, rel=0.25)
