"""The rhythm model: whether a repeat buyer is still there, judged by its own order rhythm.

BG/NBD treats purchases as a Poisson process, so a long silence says little about a buyer
that orders every month like clockwork. Buyers with a rhythm are better described by a
renewal process with dropout, in the spirit of the Pareto/GGG (Platzer & Reutterer 2016,
"Ticking away the moments: timing regularity helps to better predict customer activity"):

- a buyer's gaps between orders are log-normal with its own log-mean μ and spread σ, each
  shrunk towards the population's (μ with the weight of one gap, σ² with ``PRIOR_DOF``
  degrees of freedom of the pooled spread, itself shrunk towards ``PRIOR_SPREAD`` for small
  populations), so two gaps do not make a metronome;
- after each order it leaves for good with probability p ~ Beta(a, b) across buyers; a
  buyer with x orders after which it went on, silent for R days since its last, has the
  likelihood ∫ (1 − p)^x ((1 − p)·S(R) + p) dBeta(p) = [B(a, b+x+1)·S(R) + B(a+1, b+x)] /
  B(a, b), where S(R) = P(gap > R) — so (a, b) are fitted by maximum likelihood on the
  silences themselves, relative to each buyer's own rhythm, and the buyer is alive with odds
  B(a, b+x+1)·S(R) : B(a+1, b+x);
- alive, it orders within the horizon H with P(gap ≤ R + H | gap > R).

The model needs no buyer who has been seen to stop within a calibration period, which is
what makes it the fallback of the combined model when that period holds too few of them
(``model``, ``calibrated``), and a feature of it otherwise. (BG/NBD's own dropout estimate
is no substitute: regular buyers' long silences fit its Poisson process well enough that
it puts p near 0.) Buyers without a gap of a day or more get NaN.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.special import betaln, digamma, log_ndtr

from domain.scores.features import Summary
from domain.scores.optimize import minimize

Floats = NDArray[np.float64]
PRIOR_DOF = 4.0  # the pooled spread counts as this many gaps' worth of evidence
PRIOR_SPREAD = 0.7  # log-gap spread before any data: gaps half to twice the usual, often
POOL_PRIOR_DOF = 20.0
MIN_SPREAD = 0.15  # no one is that regular: keeps S(R) from collapsing to 0 or 1
MAX_FIT = 30_000  # buyers the dropout is fitted on, at most (a fixed random sample)
MIN_FIT = 30  # with fewer buyers with a rhythm, the prior dropout instead of a fit
PRIOR_DROPOUT = (1.0, 4.0)  # Beta(a, b): a one-in-five chance of leaving after each order


@dataclass(frozen=True)
class RhythmOutlook:
    """Per buyer of the summary (NaN without a rhythm)."""

    p_alive: Floats
    p_none: Floats
    dropout: tuple[float, float]  # Beta(a, b) of the chance of leaving after an order


def rhythm_outlook(s: Summary, *, horizon: float) -> RhythmOutlook:
    """P(alive) and P(no order within ``horizon``) of each buyer, by its rhythm."""
    has = s.gaps > 0
    p_alive, p_none = np.full(s.x.size, np.nan), np.full(s.x.size, np.nan)
    if not np.any(has):
        return RhythmOutlook(p_alive, p_none, PRIOR_DROPOUT)
    gaps = s.gaps[has]
    log_mean = np.log(s.typical_gap[has])
    dof = np.maximum(gaps - 1, 0.0)
    pooled = _pooled_variance(dof, s.gap_spread[has])
    sigma = np.sqrt((dof * s.gap_spread[has] ** 2 + PRIOR_DOF * pooled) / (dof + PRIOR_DOF))
    sigma = np.maximum(sigma, MIN_SPREAD)
    mu = (gaps * log_mean + float(np.median(log_mean))) / (gaps + 1)
    recency = np.maximum(s.recency[has], 0.5)
    log_stay = _log_survival(recency, mu, sigma)  # log S(R)
    log_later = _log_survival(recency + horizon, mu, sigma)  # log S(R + H)
    x = s.x[has]
    a, b = fit_dropout(x, log_stay) if x.size >= MIN_FIT else PRIOR_DROPOUT
    log_alive_odds = betaln(a, b + x + 1) + log_stay - betaln(a + 1, b + x)
    alive = 1.0 / (1.0 + np.exp(-log_alive_odds))
    quiet = np.exp(np.minimum(log_later - log_stay, 0.0))  # P(gap > R + H | gap > R)
    p_alive[has] = alive
    p_none[has] = 1.0 - alive * (1.0 - quiet)
    return RhythmOutlook(p_alive, p_none, (a, b))


def fit_dropout(x: Floats, log_stay: Floats) -> tuple[float, float]:
    """Maximum-likelihood Beta(a, b) of the dropout, from each buyer's orders after which it
    went on (``x``) and its log S(R) (see the module docstring)."""
    if x.size > MAX_FIT:
        pick = np.sort(np.random.default_rng(0).choice(x.size, MAX_FIT, replace=False))
        x, log_stay = x[pick], log_stay[pick]
    best = minimize(
        lambda theta: _negative_ll(theta, x, log_stay), np.log([1.0, 10.0]), low=-7.0, high=9.0
    )
    a, b = np.exp(best)
    return float(a), float(b)


def _negative_ll(theta: Floats, x: Floats, log_stay: Floats) -> tuple[float, Floats]:
    """Minus the mean log-likelihood at log (a, b), and its gradient."""
    a, b = np.exp(theta)
    stay = betaln(a, b + x + 1) + log_stay  # went on, still silent
    left = betaln(a + 1, b + x)  # left after the last order
    mix = np.logaddexp(stay, left)
    w_stay, w_left = np.exp(stay - mix), np.exp(left - mix)
    top = digamma(a + b + x + 1)
    d_a = w_stay * digamma(a) + w_left * digamma(a + 1) - top - digamma(a) + digamma(a + b)
    d_b = w_stay * digamma(b + x + 1) + w_left * digamma(b + x) - top
    d_b = d_b - digamma(b) + digamma(a + b)
    value = float(-(mix.sum() - x.size * betaln(a, b)) / x.size)
    return value, -np.array([d_a.mean() * a, d_b.mean() * b])


def _pooled_variance(dof: Floats, spread: Floats) -> float:
    """The population's variance of log gaps, pooled over buyers with two gaps or more, with
    ``PRIOR_SPREAD`` counting as ``POOL_PRIOR_DOF`` gaps (it decides small populations)."""
    total = float(dof.sum()) + POOL_PRIOR_DOF
    return float(((dof * spread**2).sum() + POOL_PRIOR_DOF * PRIOR_SPREAD**2) / total)


def _log_survival(days: Floats, mu: Floats, sigma: Floats) -> Floats:
    """log P(gap > days) for a log-normal gap."""
    return np.asarray(log_ndtr(-(np.log(days) - mu) / sigma), dtype=np.float64)
