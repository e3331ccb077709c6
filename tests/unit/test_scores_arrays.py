"""The vectorised aggregates against a plain per-client loop, and what the SQL reads parse."""

from __future__ import annotations

import itertools
import math
from datetime import UTC, datetime

import numpy as np
import pytest

from domain.scores.arrays import OrderArrays, aggregate, window_totals
from storage.repositories.score_orders import parse_stamps


def random_orders(seed: int = 3, clients: int = 40) -> OrderArrays:
    rng = np.random.default_rng(seed)
    client = np.sort(rng.integers(0, clients - 3, 600))  # the last clients buy nothing
    day = rng.uniform(0, 1200, client.size)
    order = np.lexsort((day, client))
    cost = np.where(rng.random(client.size) < 0.7, rng.uniform(10, 90, client.size), np.nan)
    amount = rng.uniform(20, 200, client.size)
    return OrderArrays(client[order], day[order], amount[order], cost[order])


def slow(orders: OrderArrays, cut: float, who: int) -> dict[str, float]:
    mine = [
        (d, a, k)
        for c, d, a, k in zip(orders.client, orders.day, orders.amount, orders.cost, strict=True)
        if c == who and d <= cut
    ]
    days = sorted(d for d, _, _ in mine)
    gaps = [math.log(b - a) for a, b in itertools.pairwise(days) if b - a >= 1]

    def total(lo: float, hi: float, what: str = "amount", costed: bool = False) -> float:
        found = 0.0
        for d, a, k in mine:
            if lo <= cut - d < hi and (not costed or not math.isnan(k)):
                found += {"amount": a, "count": 1.0, "cost": k}[what]
        return found

    return {
        "orders": len(mine), "revenue": sum(a for _, a, _ in mine),
        "first": min(days, default=math.nan), "last": max(days, default=math.nan),
        "gaps": len(gaps), "log_gap": sum(gaps), "log_gap_sq": sum(g * g for g in gaps),
        "n90": total(0, 90, "count"), "r90": total(0, 90), "n90p": total(90, 180, "count"),
        "r90p": total(90, 180), "n365": total(0, 365, "count"), "r365": total(0, 365),
        "r365p": total(365, 730),
        "costed": sum(1.0 for _, _, k in mine if not math.isnan(k)),
        "sales_now": total(0, 180, costed=True), "cost_now": total(0, 180, "cost", True),
        "sales_then": total(180, 360, costed=True), "cost_then": total(180, 360, "cost", True),
    }  # fmt: skip


@pytest.mark.parametrize("cut", [400.0, 1000.0, 1300.0])
def test_aggregates_equal_a_per_client_loop(cut: float) -> None:
    orders = random_orders()
    agg = aggregate(orders, cut=cut, clients=40)
    for who in range(40):
        for name, value in slow(orders, cut, who).items():
            assert getattr(agg, name)[who] == pytest.approx(value, nan_ok=True), (who, name)


def test_window_totals_are_half_open() -> None:
    orders = OrderArrays(np.array([0, 0, 1]), np.array([10.0, 20, 20]), np.ones(3), np.ones(3))
    count, revenue = window_totals(orders, start=10.0, end=20.0, clients=3)
    assert count.tolist() == [1, 1, 0] and revenue.tolist() == [1, 1, 0]


def test_sqlite_timestamps_parse_to_epoch_days() -> None:
    moments = [
        datetime(2026, 11, 1, 13, 45, 12, 123456, tzinfo=UTC),
        datetime(1999, 2, 28, tzinfo=UTC),
        datetime(2024, 2, 29, 23, 59, 59, tzinfo=UTC),
    ]
    blob = "".join(m.strftime("%Y-%m-%d %H:%M:%S.%f") for m in moments).encode()
    expected = [m.timestamp() / 86_400 for m in moments]
    np.testing.assert_allclose(parse_stamps(blob), expected, rtol=0, atol=1e-10)
