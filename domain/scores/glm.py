"""Logistic and Poisson regressions, fitted by penalised maximum likelihood (Newton-Raphson).

Small, dependency-free generalised linear models for the combined purchase model: the
features are standardised on the training rows (and clipped to ±8 standard deviations when
applied, so that a client unlike any seen in training does not extrapolate wildly), a
light ridge penalty keeps correlated features stable, and the intercept is not penalised.
Newton's method with step halving converges in a handful of iterations (each one pass
over the rows), which is what keeps fitting on 100 000 clients to a fraction of a second.

The Poisson fit with a log link is also the quasi-Poisson fit of a non-negative amount
(revenue): same estimating equations, and with an unpenalised intercept the fitted values
sum to the observed total on the training rows, which keeps the predicted total honest.
An ``offset`` (a prior prediction on the link scale) makes the model a correction of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit

Floats = NDArray[np.float64]
Kind = Literal["logistic", "poisson"]
CLIP = 8.0
MAX_LINK = 30.0
MAX_STEPS = 50


@dataclass(frozen=True)
class Glm:
    kind: Kind
    coef: Floats  # intercept first, then one per standardised feature
    center: Floats
    spread: Floats
    unit: float = 1.0  # Poisson: the scale the response was divided by while fitting

    def design(self, features: Floats) -> Floats:
        z = np.clip((features - self.center) / self.spread, -CLIP, CLIP)
        return np.column_stack([np.ones(len(features)), z])

    def predict(self, features: Floats, offset: Floats | None = None) -> Floats:
        """The probability (logistic) or the expected value (Poisson) for each row."""
        eta = self.design(features) @ self.coef + self._shift(offset, len(features))
        eta = np.minimum(eta, MAX_LINK)
        if self.kind == "logistic":
            return np.asarray(expit(eta))
        return np.asarray(np.exp(eta) * self.unit)

    def _shift(self, offset: Floats | None, rows: int) -> Floats:
        """The offset on the scale the coefficients were fitted on (Poisson: y / unit)."""
        if offset is None:
            return np.zeros(rows)
        return offset - np.log(self.unit) if self.kind == "poisson" else offset


@dataclass(frozen=True)
class _Problem:
    X: Floats
    y: Floats
    offset: Floats
    kind: Kind
    ridge: Floats  # per coefficient; 0 for the intercept

    def evaluate(self, beta: Floats) -> tuple[float, Floats, Floats]:
        """Mean loss, its gradient and the Newton weights at ``beta``."""
        eta = np.minimum(self.X @ beta + self.offset, MAX_LINK)
        if self.kind == "logistic":
            mu = expit(eta)
            value = np.logaddexp(0.0, eta) - self.y * eta
            weight = mu * (1 - mu)
        else:
            mu = np.exp(eta)
            value = mu - self.y * eta
            weight = mu
        n = len(self.y)
        loss = float(value.sum() / n + 0.5 * beta @ (self.ridge * beta))
        return loss, self.X.T @ (mu - self.y) / n + self.ridge * beta, weight


def fit_glm(
    features: Floats, y: Floats, kind: Kind, *, offset: Floats | None = None, ridge: float = 1e-3
) -> Glm:
    """Fit ``kind`` to ``y`` (0/1 for logistic; counts or amounts for Poisson)."""
    center = features.mean(axis=0)
    spread = features.std(axis=0)
    spread = np.where(spread > 1e-9, spread, 1.0)
    unit = float(max(y.mean(), 1e-9)) if kind == "poisson" else 1.0
    model = Glm(kind, np.zeros(features.shape[1] + 1), center, spread, unit)
    X = model.design(features)
    penalty = np.full(X.shape[1], ridge)
    penalty[0] = 0.0
    problem = _Problem(X, y / unit, model._shift(offset, len(y)), kind, penalty)
    start = np.zeros(X.shape[1])
    start[0] = _base(problem.y, kind) if offset is None else 0.0
    return Glm(kind, _newton(problem, start), center, spread, unit)


def _newton(problem: _Problem, beta: Floats) -> Floats:
    """Newton-Raphson with step halving until the loss stops improving."""
    loss, grad, weight = problem.evaluate(beta)
    X, n = problem.X, len(problem.y)
    for _ in range(MAX_STEPS):
        hessian = (X.T * weight) @ X / n + np.diag(problem.ridge)
        step = np.linalg.solve(hessian + 1e-10 * np.eye(len(beta)), grad)
        size = 1.0
        trial = beta - step
        new_loss, new_grad, new_weight = problem.evaluate(trial)
        while new_loss > loss and size > 1e-4:
            size /= 2
            trial = beta - size * step
            new_loss, new_grad, new_weight = problem.evaluate(trial)
        if new_loss > loss:  # no descent left, even along a tiny step
            break
        done = loss - new_loss < 1e-10 * (1 + abs(loss))
        beta, loss, grad, weight = trial, new_loss, new_grad, new_weight
        if done:
            break
    return beta


def _base(target: Floats, kind: Kind) -> float:
    """The intercept of the model without features: where the search starts."""
    mean = float(np.clip(target.mean(), 1e-6, 1 - 1e-6 if kind == "logistic" else None))
    return float(np.log(mean / (1 - mean))) if kind == "logistic" else float(np.log(mean))
