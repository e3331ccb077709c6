"""The Gamma-Gamma spend model, fitted by maximum likelihood on a population of buyers.

Fader & Hardie, "The Gamma-Gamma Model of Monetary Value" (2013 note); Fader, Hardie & Lee
(2005), "RFM and CLV: using iso-value curves for customer base analysis". Each order's
value is Gamma(p, ν) with a buyer's own ν ~ Gamma(q, γ); given a buyer's ``n`` orders of
mean ``m``, the mean is Gamma(pn, νn), so

    f(m | p, q, γ, n) = Γ(pn+q) / (Γ(pn) Γ(q)) · γ^q m^(pn−1) n^(pn) / (γ + n m)^(pn+q).

The conditional expected order value is a weighted mean of the population mean pγ/(q−1)
and the buyer's own mean, the weight on the buyer's growing with ``n``. All of a buyer's
orders are used (the first one too, unlike the CDNOW setting, where first purchases were
of another kind). ``q`` is kept above 1 so that the population mean exists.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.special import digamma, gammaln

from domain.scores.optimize import minimize

Floats = NDArray[np.float64]


@dataclass(frozen=True)
class GammaGamma:
    p: float
    q: float
    gamma: float

    @property
    def mean(self) -> float:
        """The population's mean order value, pγ/(q−1)."""
        return self.p * self.gamma / (self.q - 1)

    def log_likelihood(self, n: Floats, m: Floats) -> Floats:
        """Each buyer's log-density of its mean order value ``m`` over ``n`` orders."""
        p, q, g = self.p, self.q, self.gamma
        px = p * n
        return np.asarray(
            gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(g)
            + (px - 1) * np.log(m) + px * np.log(n) - (px + q) * np.log(g + n * m)
        )  # fmt: skip

    def expected_spend(self, n: Floats, m: Floats) -> Floats:
        """E[order value | n orders of mean m] = (γ + n m) p / (p n + q − 1)."""
        return np.asarray((self.gamma + n * m) * self.p / (self.p * n + self.q - 1))


def _negative_ll(theta: Floats, n: Floats, m: Floats) -> tuple[float, Floats]:
    """Minus the mean log-likelihood at (log p, log(q − 1), log γ), and its gradient."""
    p, q_above, g = np.exp(theta)
    q = 1.0 + q_above
    px = p * n
    both = digamma(px + q)
    log_total = np.log(g + n * m)
    d_p = n * (both - digamma(px) + np.log(m) + np.log(n) - log_total)
    d_q = both - digamma(q) + np.log(g) - log_total
    d_g = q / g - (px + q) / (g + n * m)
    grad = np.array([d_p.mean() * p, d_q.mean() * q_above, d_g.mean() * g])
    return float(-np.mean(GammaGamma(p, q, g).log_likelihood(n, m))), -grad


def fit_gamma_gamma(n: Floats, m: Floats) -> GammaGamma:
    """Maximum-likelihood parameters from each buyer's order count and mean order value.

    Values are scaled to a mean of 1 while fitting, which leaves p and q unchanged and
    scales γ, so the optimiser sees the same problem whatever the currency.
    """
    keep = (n > 0) & (m > 0)
    n, m = n[keep], m[keep]
    scale = float(np.mean(m))
    m = m / scale
    theta0 = np.log([2.0, 2.0, 2.0])
    best = minimize(lambda th: _negative_ll(th, n, m), theta0, low=-7.0, high=7.0)
    p, q_above, g = (float(v) for v in np.exp(best))
    return GammaGamma(p, 1.0 + q_above, g * scale)


def prior_gamma_gamma(mean_spend: float) -> GammaGamma:
    """A weak prior for populations too small to fit: order values vary ±50 % around a
    buyer's own mean, buyers' means vary widely, and the population mean is given."""
    p, q = 4.0, 3.0
    return GammaGamma(p, q, max(mean_spend, 1.0) * (q - 1) / p)
