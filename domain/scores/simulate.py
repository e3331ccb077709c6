"""Synthetic buyers with known behaviour: to test the purchase models and to backtest them.

The generative story extends the BG/NBD's (Fader, Hardie & Lee 2005, "Counting your
customers the easy way") in the ways real B2B buyers differ from it:

- each buyer has a purchase rate λ ~ Gamma(r, rate α) per day and, after each purchase, a
  chance p ~ Beta(a, b) of leaving for good (with ``drop_after_first`` also right after the
  first purchase, which the BG/NBD rules out and real one-time buyers show);
- the gaps between purchases are Gamma(k, mean 1/λ) with a buyer's own regularity k
  (k = 1 is the BG/NBD's Poisson process; k > 1 orders on a rhythm);
- the purchase rate follows a yearly cycle of amplitude ``season``;
- order values are Gamma(p, rate ν) with ν ~ Gamma(q, rate γ) per buyer (the Gamma-Gamma
  spend model of Fader & Hardie's note), growing by each buyer's own yearly ``growth``;
- costs come from a margin of 15–40 % that drifts by a few points a year.

Everything is vectorised over buyers (one loop over purchase rounds, not over buyers), and
the same seed gives the same orders. Days run from 0; buyers arrive uniformly in
``[0, acquire_until)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from domain.scores.arrays import OrderArrays

Floats = NDArray[np.float64]
YEAR = 365.25


@dataclass(frozen=True)
class Population:
    """The knobs of the generative story (see the module docstring); days are the unit."""

    r: float = 0.9
    alpha: float = 30.0
    a: float = 0.8
    b: float = 4.0
    regularity: tuple[float, float] = (1.0, 6.0)
    drop_after_first: bool = True
    p_spend: float = 4.0
    q: float = 3.0
    gamma: float = 1500.0
    season: float = 0.25
    growth_sd: float = 0.15
    min_gap: float = 1.0
    churn_from: float = 0.0  # no one leaves before this day (a stress test of calibration)

    @classmethod
    def bgnbd(cls, r: float, alpha: float, a: float, b: float) -> Population:
        """Exactly the BG/NBD story: Poisson purchases, dropout after repeat purchases only."""
        return cls(r=r, alpha=alpha, a=a, b=b, regularity=(1.0, 1.0), drop_after_first=False)

    def plain(self) -> Population:
        """The same rates with neither season, growth, rhythm nor a minimum gap."""
        return Population(
            self.r, self.alpha, self.a, self.b, (1.0, 1.0), self.drop_after_first,
            self.p_spend, self.q, self.gamma, 0.0, 0.0, 0.0,
        )  # fmt: skip


@dataclass(frozen=True)
class Truth:
    """Each buyer's hidden behaviour, by buyer index."""

    rate: Floats
    dropout: Floats
    regularity: Floats
    mean_spend: Floats
    birth: Floats


def simulate(
    buyers: int, *, days: float, acquire_until: float, seed: int, population: Population
) -> tuple[OrderArrays, Truth]:
    """Orders of ``buyers`` buyers over ``[0, days)``, sorted by buyer and day."""
    pop, rng = population, np.random.default_rng(seed)
    low, high = pop.regularity
    truth = Truth(
        rate=rng.gamma(pop.r, 1.0 / pop.alpha, buyers),
        dropout=rng.beta(pop.a, pop.b, buyers),
        regularity=rng.uniform(low, high, buyers),
        mean_spend=pop.p_spend / rng.gamma(pop.q, 1.0 / pop.gamma, buyers),
        birth=rng.uniform(0.0, acquire_until, buyers),
    )
    who, when = _purchases(rng, truth, pop, days)
    order = np.lexsort((when, who))
    who, when = who[order], when[order]
    amount, cost = _values(rng, truth, pop, who, when)
    return OrderArrays(who, when, amount, cost), truth


def _purchases(
    rng: np.random.Generator, truth: Truth, pop: Population, days: float
) -> tuple[NDArray[np.int64], Floats]:
    """Purchase times, round by round: every buyer still there draws its next gap at once."""
    idx = np.arange(truth.rate.size, dtype=np.int64)
    t = truth.birth.copy()
    who, when = [idx], [t]
    first = True
    while idx.size:
        if pop.drop_after_first or not first:
            stays = (rng.random(idx.size) >= truth.dropout[idx]) | (t < pop.churn_from)
            idx, t = idx[stays], t[stays]
        first = False
        k = truth.regularity[idx]
        cycle = 1.0 + pop.season * np.cos(2 * np.pi * (t - 320.0) / YEAR)
        gap = rng.gamma(k, 1.0 / (k * truth.rate[idx])) / cycle
        t = t + np.maximum(gap, pop.min_gap)
        inside = t < days
        idx, t = idx[inside], t[inside]
        who.append(idx)
        when.append(t)
    return np.concatenate(who), np.concatenate(when)


def _values(
    rng: np.random.Generator, truth: Truth, pop: Population, who: NDArray[np.int64], when: Floats
) -> tuple[Floats, Floats]:
    """Order values (Gamma-Gamma, with growth) and costs (a drifting margin), to the cent."""
    n = truth.rate.size
    growth = rng.normal(0.0, pop.growth_sd, n) if pop.growth_sd else np.zeros(n)
    years = (when - truth.birth[who]) / YEAR
    scale = truth.mean_spend[who] / pop.p_spend
    base = rng.gamma(pop.p_spend, 1.0, who.size) * scale
    amount = np.round(np.maximum(base * np.exp(growth[who] * years), 1.0), 2)
    margin = rng.uniform(0.15, 0.40, n)[who] + rng.normal(0.0, 0.03, n)[who] * years
    cost = np.round(amount * (1.0 - np.clip(margin, -0.2, 0.9)), 2)
    return amount.astype(np.float64), cost.astype(np.float64)
