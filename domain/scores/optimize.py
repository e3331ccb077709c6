"""A small BFGS minimiser and average ranks: the two things scoring needs from
``scipy.optimize``/``scipy.stats``, which cost the command line 0.7 s just to import.

``minimize`` is textbook BFGS (Nocedal & Wright, algorithm 6.1) with a backtracking Armijo
line search and box bounds by clipping — enough for the smooth three- and four-parameter
log-likelihoods here, fitted in log space from a sensible start.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

Floats = NDArray[np.float64]
Objective = Callable[[Floats], tuple[float, Floats]]


def minimize(
    objective: Objective,
    start: Floats,
    *,
    low: float | Floats = -np.inf,
    high: float | Floats = np.inf,
    tolerance: float = 1e-8,
    steps: int = 200,
) -> Floats:
    """The point of least ``objective`` (which returns value and gradient) near ``start``."""
    x = np.clip(np.asarray(start, dtype=np.float64), low, high)
    value, grad = objective(x)
    inverse = np.eye(x.size)
    for _ in range(steps):
        if np.max(np.abs(grad)) < tolerance:
            break
        direction = -inverse @ grad
        if grad @ direction >= 0:  # not a descent direction: restart from steepest descent
            inverse, direction = np.eye(x.size), -grad
        trial, new_value, new_grad = _line_search(objective, x, value, grad, direction, low, high)
        step, change = trial - x, new_grad - grad
        done = value - new_value < tolerance * (1 + abs(value))
        x, value, grad = trial, new_value, new_grad
        if done:
            break
        inverse = _bfgs_update(inverse, step, change)
    return x


def _line_search(
    objective: Objective, x: Floats, value: float, grad: Floats, direction: Floats,
    low: float | Floats, high: float | Floats,
) -> tuple[Floats, float, Floats]:  # fmt: skip
    """Halve the step until the Armijo condition holds (sufficient decrease)."""
    size, slope = 1.0, float(grad @ direction)
    while True:
        trial = np.clip(x + size * direction, low, high)
        new_value, new_grad = objective(trial)
        if new_value <= value + 1e-4 * size * slope or size < 1e-10:
            return trial, new_value, new_grad
        size /= 2


def _bfgs_update(inverse: Floats, step: Floats, change: Floats) -> Floats:
    """The BFGS update of the inverse Hessian; skipped without positive curvature."""
    curvature = float(change @ step)
    if curvature <= 1e-12:
        return inverse
    rho = 1.0 / curvature
    shift = np.eye(step.size) - rho * np.outer(step, change)
    return np.asarray(shift @ inverse @ shift.T + rho * np.outer(step, step))


def average_ranks(values: Floats) -> Floats:
    """Ranks 1…n, ties sharing the mean of the ranks they span (as ``scipy.stats.rankdata``)."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    ends = np.r_[starts[1:], ordered.size]
    mean_rank = (starts + ends + 1) / 2.0  # ranks starts+1 … ends, averaged
    ranks = np.empty(values.size)
    ranks[order] = np.repeat(mean_rank, ends - starts)
    return ranks
