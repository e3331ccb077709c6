"""The BG/NBD purchase model, fitted by maximum likelihood on a population of buyers.

Fader, Hardie & Lee (2005), "'Counting your customers' the easy way: an alternative to the
Pareto/NBD model", Marketing Science 24(2). While active a buyer purchases as a Poisson
process of rate λ ~ Gamma(r, α); after each repeat purchase it drops out with probability
p ~ Beta(a, b). A buyer is summarised by ``x`` (repeat purchases), ``t_x`` (time of the
last purchase, from the first) and ``T`` (time from the first purchase to the cut-off).

The log-likelihood is the paper's equation (6), vectorised over buyers; the parameters are
fitted in log space (all four are positive) with L-BFGS. Expected purchases use equation
(10) after Euler's transformation of the Gauss hypergeometric function,
``2F1(r+x, b+x; c; z) = (1−z)^(c−r−x−b−x) 2F1(c−r−x, c−b−x; c; z)``, which keeps every term
bounded for heavy buyers. The time unit is the caller's (days here).

Known flaw, which the combined model corrects: a buyer with no repeat purchase can never
have dropped out, so P(alive) is 1 for every one-time buyer however long ago they bought.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.special import betaln, digamma, gammaln, hyp2f1

from domain.scores.optimize import minimize

Floats = NDArray[np.float64]


@dataclass(frozen=True)
class BgNbd:
    r: float
    alpha: float
    a: float
    b: float

    def log_likelihood(self, x: Floats, t_x: Floats, T: Floats) -> Floats:
        """Each buyer's log-likelihood, FHL 2005 eq. (6)."""
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        head = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
        head += betaln(a, b + x) - betaln(a, b)
        stay = -(r + x) * np.log(alpha + T)
        repeat = x > 0
        left = np.full_like(x, -np.inf)
        left[repeat] = (
            np.log(a) - np.log(b + x[repeat] - 1) - (r + x[repeat]) * np.log(alpha + t_x[repeat])
        )
        return np.asarray(head + np.logaddexp(stay, left), dtype=np.float64)

    def _odds_gone(self, x: Floats, t_x: Floats, T: Floats) -> Floats:
        """δ(x>0) · a/(b+x−1) · ((α+T)/(α+t_x))^(r+x): the odds of having dropped out."""
        odds = np.zeros_like(x)
        rep = x > 0
        ratio = np.log(self.alpha + T[rep]) - np.log(self.alpha + t_x[rep])
        odds[rep] = np.exp(np.log(self.a) - np.log(self.b + x[rep] - 1) + (self.r + x[rep]) * ratio)
        return odds

    def p_alive(self, x: Floats, t_x: Floats, T: Floats) -> Floats:
        """P(still active at T | x, t_x, T)."""
        return 1.0 / (1.0 + self._odds_gone(x, t_x, T))

    def p_alive_once(self, T: Floats) -> Floats:
        """P(alive) of a one-time buyer if it could also leave right after its first
        purchase, as in the MBG/NBD (Batislam, Denizel & Filiztekin 2007): 1 / (1 + a/b ·
        ((α+T)/α)^r). Used only where there is no population to learn this from."""
        ratio = self.r * (np.log(self.alpha + T) - np.log(self.alpha))
        return np.asarray(1.0 / (1.0 + self.a / self.b * np.exp(ratio)))

    def p_none(self, t: float, x: Floats, t_x: Floats, T: Floats) -> Floats:
        """P(no purchase in (T, T+t]): gone, or alive and no Poisson event.

        Alive at T, λ's posterior is Gamma(r+x, α+T) and no dropout can happen without a
        purchase, so P(none | alive) = ((α+T)/(α+T+t))^(r+x).
        """
        alive = self.p_alive(x, t_x, T)
        quiet = np.exp((self.r + x) * (np.log(self.alpha + T) - np.log(self.alpha + T + t)))
        return np.asarray(1.0 - alive + alive * quiet, dtype=np.float64)

    def expected(self, t: float, x: Floats, t_x: Floats, T: Floats) -> Floats:
        """E[purchases in (T, T+t] | x, t_x, T], FHL 2005 eq. (10)."""
        r, alpha, b = self.r, self.alpha, self.b
        a = self.a if abs(self.a - 1.0) > 1e-6 else 1.0 + 1e-6  # the formula's 0/0 at a = 1
        c = a + b + x - 1
        z = t / (alpha + T + t)
        with np.errstate(invalid="ignore", over="ignore"):
            series = hyp2f1(a + b - 1 - r, a - 1, c, z)
            bracket = 1.0 - np.exp((a - 1) * np.log1p(-z)) * series
            found = c / (a - 1) * bracket / (1.0 + self._odds_gone(x, t_x, T))
        # Where the series fails (extreme parameters), the no-further-dropout bound: alive
        # now, purchasing at the posterior mean rate (r+x)/(α+T) throughout.
        bound = self.p_alive(x, t_x, T) * (r + x) / (alpha + T) * t
        return np.asarray(np.where(np.isfinite(found) & (found >= 0), found, bound))

    def expected_new(self, t: float) -> float:
        """E[purchases in (0, t]] of a buyer just acquired, FHL 2005 eq. (7)."""
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        z = t / (alpha + t)
        value = (
            (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, z))
        )
        return float(value)


def negative_ll(
    theta: Floats, x: Floats, t_x: Floats, T: Floats, weight: Floats
) -> tuple[float, Floats]:
    """Minus the weighted mean log-likelihood at log-parameters, and its gradient.

    With ``S`` the "still active" and ``L`` the "left after the last purchase" terms of eq.
    (6), each derivative is the head's plus the two terms' weighted by their shares
    ``exp(S − LL)`` and ``exp(L − LL)``; the chain rule through exp gives log-space.
    """
    r, alpha, a, b = np.exp(theta)
    rep = x > 0
    log_t = np.log(alpha + T)
    log_tx = np.log(alpha + t_x)
    stay = -(r + x) * log_t
    left = np.where(
        rep, np.log(a) - np.log(np.where(rep, b + x - 1, 1.0)) - (r + x) * log_tx, -np.inf
    )
    mix = np.logaddexp(stay, left)
    ws, wl = np.exp(stay - mix), np.exp(left - mix)
    head = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + betaln(a, b + x) - betaln(a, b)
    d_r = digamma(r + x) - digamma(r) + np.log(alpha) - ws * log_t - wl * log_tx
    d_alpha = r / alpha - (r + x) * (ws / (alpha + T) + wl / (alpha + t_x))
    d_a = digamma(a + b) - digamma(a + b + x) + wl / a
    d_b = digamma(b + x) - digamma(a + b + x) - digamma(b) + digamma(a + b)
    d_b = d_b - wl / np.where(rep, b + x - 1, 1.0)
    total = weight.sum()
    grad = np.array([weight @ d for d in (d_r, d_alpha, d_a, d_b)]) * np.exp(theta)
    return float(-(weight @ (head + mix)) / total), -grad / total


def fit_bgnbd(
    x: Floats, t_x: Floats, T: Floats, *, weight: Floats | None = None, start: BgNbd | None = None
) -> BgNbd:
    """Maximum-likelihood BG/NBD parameters for the buyers given (weights: duplicate counts)."""
    w = np.ones_like(x) if weight is None else weight
    scale = max(float(np.mean(T)), 1.0)
    first = start or BgNbd(1.0, scale / max(float(np.mean(x)), 0.1) / 2, 1.0, 3.0)
    theta0 = np.log([first.r, first.alpha, first.a, first.b])
    low, high = np.array([-9.0, -9.0, -9.0, -9.0]), np.array([9.0, 12.0, 9.0, 9.0])
    best = minimize(lambda th: negative_ll(th, x, t_x, T, w), theta0, low=low, high=high)
    r, alpha, a, b = (float(v) for v in np.exp(best))
    return BgNbd(r, alpha, a, b)
