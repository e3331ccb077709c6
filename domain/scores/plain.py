"""The plain purchase and spend models together: BG/NBD for how often (Fader, Hardie & Lee
2005), Gamma-Gamma for how much (Fader & Hardie 2013) — the published baseline, and what the
combined model corrects.

Fitted on a fixed random sample of at most ``MAX_FIT`` buyers (four parameters need no
more); with fewer than ``MIN_FIT`` buyers, documented prior parameters instead.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from domain.scores.bgnbd import BgNbd, fit_bgnbd
from domain.scores.features import PlainOutputs, Summary
from domain.scores.gamma_gamma import GammaGamma, fit_gamma_gamma, prior_gamma_gamma
from domain.scores.renewal import rhythm_outlook

# One order a month and a one-in-five chance of leaving after each: for tiny populations.
PRIOR_BGNBD = BgNbd(r=1.0, alpha=30.0, a=1.0, b=4.0)
MIN_FIT = 30  # buyers needed to fit BG/NBD and Gamma-Gamma
MAX_FIT = 30_000  # buyers they are fitted on, at most


@dataclass(frozen=True)
class Plain:
    """BG/NBD for how often, Gamma-Gamma for how much."""

    bg: BgNbd
    gg: GammaGamma

    def outputs(self, s: Summary, horizon: float, *, rhythm: bool = False) -> PlainOutputs:
        """BG/NBD and Gamma-Gamma outputs; with ``rhythm``, the rhythm model's beside them
        (a dropout fit: only where something will use them)."""
        p_none = self.bg.p_none(horizon, s.x, s.t_x, s.T)
        out = PlainOutputs(
            p_alive=self.bg.p_alive(s.x, s.t_x, s.T),
            p_none=p_none,
            expected=self.bg.expected(horizon, s.x, s.t_x, s.T),
            spend=self.gg.expected_spend(s.orders, s.mean_spend),
        )
        if not rhythm:
            return out
        beat = rhythm_outlook(s, horizon=horizon)
        a, b = beat.dropout
        once = s.x == 0  # BG/NBD has them alive: 1 − p_none is P(an order | alive)
        alive = replace(self.bg, a=a, b=b).p_alive_once(s.T)
        once_none = 1 - alive * (1 - p_none)
        return replace(out, rhythm_none=np.where(once, once_none, beat.p_none),
                       rhythm_dropout=beat.dropout)  # fmt: skip


def fit_plain(s: Summary) -> Plain:
    """Fitted on the buyers of ``s`` (a fixed random sample of ``MAX_FIT`` of them when
    there are more: four parameters need no more), or the priors when there are too few."""
    if s.index.size < MIN_FIT or not np.any(s.x > 0):
        mean = float(np.mean(s.mean_spend)) if s.index.size else 1.0
        return Plain(PRIOR_BGNBD, prior_gamma_gamma(mean))
    pick = np.arange(s.index.size)
    if pick.size > MAX_FIT:
        pick = np.sort(np.random.default_rng(0).choice(pick.size, MAX_FIT, replace=False))
    x, t_x, T = s.x[pick], s.t_x[pick], s.T[pick]
    return Plain(fit_bgnbd(x, t_x, T), fit_gamma_gamma(s.orders[pick], s.mean_spend[pick]))


def one_time_leavers(out: PlainOutputs, s: Summary, bg: BgNbd) -> PlainOutputs:
    """Without a population to calibrate on, at least let one-time buyers have left: their
    P(alive) becomes the MBG/NBD's rather than the BG/NBD's certain 1."""
    once = s.x == 0
    alive = np.where(once, bg.p_alive_once(s.T), out.p_alive)
    buys = 1 - out.p_none  # for one-time buyers BG/NBD has them alive: P(order | alive)
    p_none = np.where(once, 1 - alive * buys, out.p_none)
    expected = np.where(once, out.expected * alive, out.expected)
    return PlainOutputs(alive, p_none, expected, out.spend, out.rhythm_none, out.rhythm_dropout)
