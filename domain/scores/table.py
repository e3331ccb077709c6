"""A ``ScoreTable`` as CONTRACT §6 rows, and as ``ScoreRecord``s to keep.

Columns come in the contract's order; rows are sorted by ``client_external_id``. Money has
two decimals, ``expected_orders`` two, ``p_active`` four; the risks and health are whole
numbers; ``next_order_expected`` is an ISO date, or empty (null in JSON).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal

import numpy as np
from numpy.typing import NDArray

from domain.scores.factors import Factor
from domain.scores.record import ScoreRecord
from domain.scores.scorecard import ScoreTable

COLUMNS = (
    "client_external_id", "clv", "clv_tier", "expected_orders", "expected_revenue",
    "p_active", "churn_risk", "payment_risk", "profitability_risk", "risk_score",
    "risk_level", "health_score", "rfm_segment", "next_order_expected",
)  # fmt: skip
Cell = str | float | int | None


def _dates(days: NDArray[np.float64]) -> list[str | None]:
    whole = np.floor(np.nan_to_num(days)).astype("datetime64[D]")
    text = np.datetime_as_string(whole, unit="D").tolist()
    return [None if missing else t for t, missing in zip(text, np.isnan(days), strict=True)]


def _round(values: NDArray[np.float64], places: int) -> list[float]:
    rounded = np.round(values, places)
    return list(np.where(rounded == 0, 0.0, rounded).tolist())  # no "-0.00"


def _whole(values: NDArray[np.float64]) -> list[int]:
    return list(values.astype(np.int64).tolist())


def columns(t: ScoreTable) -> dict[str, list[Cell]]:
    """Every §6 column as a list of plain values, in the clients' order of ``t``."""
    fc = t.forecast
    return {
        "client_external_id": list(t.inputs.external_ids),
        "clv": list(_round(t.clv, 2)),
        "clv_tier": t.tier.tolist(),
        "expected_orders": list(_round(fc.expected_orders, 2)),
        "expected_revenue": list(_round(fc.expected_revenue, 2)),
        "p_active": list(_round(fc.p_order, 4)),
        "churn_risk": list(_whole(t.churn.score)),
        "payment_risk": list(_whole(t.payment.score)),
        "profitability_risk": list(_whole(t.profitability.score)),
        "risk_score": list(_whole(t.risk)),
        "risk_level": t.level.tolist(),
        "health_score": list(_whole(t.health)),
        "rfm_segment": t.segment.tolist(),
        "next_order_expected": list(_dates(t.next_order)),
    }


def sorted_columns(t: ScoreTable) -> dict[str, list[Cell]]:
    """``columns`` with the clients sorted by external id."""
    found = columns(t)
    ids = found["client_external_id"]
    order = sorted(range(len(ids)), key=lambda i: str(ids[i]))
    return {name: [values[i] for i in order] for name, values in found.items()}


def rows(t: ScoreTable) -> list[tuple[Cell, ...]]:
    """One tuple per client in ``COLUMNS`` order, sorted by external id."""
    return list(zip(*sorted_columns(t).values(), strict=True))


def _optional(values: NDArray[np.float64]) -> list[float | None]:
    return [None if v != v else round(v, 2) for v in values.tolist()]


def _money(values: NDArray[np.float64]) -> list[Decimal]:
    return [Decimal(f"{v:.2f}") for v in _round(values, 2)]


def records(
    t: ScoreTable, factors: Sequence[tuple[Factor, ...]], *, as_of: date
) -> list[ScoreRecord]:
    """Each client's ``ScoreRecord``; the §6 values equal the printed ones."""
    fc, beat, n = t.forecast, t.rhythm, t.size
    per_client = zip(
        t.inputs.client_ids.tolist(), t.inputs.external_ids, [as_of] * n, [int(t.horizon)] * n,
        _money(t.clv), t.tier.tolist(), t.clv_trend.tolist(), _round(fc.expected_orders, 2),
        _money(fc.expected_revenue), _round(fc.p_order, 4), _whole(t.churn.score),
        _whole(t.payment.score), _whole(t.profitability.score), _whole(t.risk),
        t.level.tolist(), _whole(t.health), t.segment.tolist(),
        [_date(d) for d in _dates(t.next_order)], _optional(beat.typical),
        _optional(beat.low), _optional(beat.high), _optional(beat.since), factors,
        strict=True,
    )  # fmt: skip
    return [ScoreRecord(*values) for values in per_client]


def _date(text: Cell) -> date | None:
    return None if text is None else date.fromisoformat(str(text))


def day_of(moment: datetime) -> float:
    """A moment as days since the Unix epoch (the scoring time axis)."""
    return moment.astimezone(UTC).timestamp() / 86_400.0
