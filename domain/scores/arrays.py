"""Order histories as arrays, and the per-client aggregates every score is built from.

Scoring is set-based: storage hands over either the orders as parallel arrays or, where SQL
does the grouping, the ``Aggregates`` themselves; ``aggregate`` here defines them (and is
what the SQL must reproduce, which a test checks). Times are in days on one axis (days
since the Unix epoch for stored data, days since the start for simulated data); a client is
an index 0…n−1 into the population.

Gaps under one day are one purchase occasion split in two, and are left out of the rhythm.
The rhythm's statistics are of log gaps: their mean gives the geometric-mean gap (close to
the median for the skewed gaps of real buyers) and their spread the usual range.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import NDArray

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]

MARGIN_DAYS = 180.0  # margin trend: the last 180 days against the 180 before


@dataclass(frozen=True)
class OrderArrays:
    """Orders as parallel arrays, sorted by client, then day; ``cost`` is NaN when unknown."""

    client: Ints
    day: Floats
    amount: Floats
    cost: Floats

    def until(self, cut: float) -> OrderArrays:
        keep = self.day <= cut
        if keep.all():  # as of the read's own cut: nothing to drop, no copy of every order
            return self
        return OrderArrays(self.client[keep], self.day[keep], self.amount[keep], self.cost[keep])


@dataclass(frozen=True)
class Aggregates:
    """Per client, as of ``cut`` (orders dated on or before it); NaN dates without orders.

    ``n90``/``r90``: orders/revenue in (cut − 90, cut]; ``n90p``/``r90p``: in (cut − 180,
    cut − 90]; ``n365``/``r365``: in (cut − 365, cut]; ``r365p``: revenue in (cut − 730,
    cut − 365]. ``gaps``, ``log_gap``, ``log_gap_sq``: count, sum and sum of squares of
    the log gaps of a day or more. ``costed``: orders with a cost; ``sales_now``/``cost_now``
    the amount and cost of those in the last 180 days, ``sales_then``/``cost_then`` in the
    180 before.
    """

    cut: float
    orders: Floats
    revenue: Floats
    first: Floats
    last: Floats
    gaps: Floats
    log_gap: Floats
    log_gap_sq: Floats
    n90: Floats
    r90: Floats
    n90p: Floats
    r90p: Floats
    n365: Floats
    r365: Floats
    r365p: Floats
    costed: Floats
    sales_now: Floats
    cost_now: Floats
    sales_then: Floats
    cost_then: Floats

    @property
    def size(self) -> int:
        return int(self.orders.size)

    def take(self, index: Ints) -> Aggregates:
        """The aggregates of the clients at ``index``, in that order."""
        values = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "cut"}
        return Aggregates(self.cut, **{k: v[index] for k, v in values.items()})


# Age buckets (days before the cut) from which every window total is a sum of columns.
EDGES = np.array([90.0, 180.0, 2 * MARGIN_DAYS, 365.0, 730.0])
N90, N90P, MARGIN_NOW, MARGIN_THEN, N365, N365P = (
    [0], [1], [0, 1], [2], [0, 1, 2, 3], [4]
)  # fmt: skip


def aggregate(orders: OrderArrays, *, cut: float, clients: int) -> Aggregates:
    """The ``Aggregates`` of ``clients`` clients from their orders dated on or before ``cut``."""
    seen = orders.until(cut)
    c, day = seen.client, seen.day
    first, last = _ends(c, day, clients)
    log_gap, gap_client = _log_gaps(c, day)

    def gap_total(weights: Floats | None = None) -> Floats:
        return np.bincount(gap_client, weights=weights, minlength=clients).astype(np.float64)

    return Aggregates(
        cut=cut,
        first=first,
        last=last,
        gaps=gap_total(),
        log_gap=gap_total(log_gap),
        log_gap_sq=gap_total(log_gap**2),
        **_window_sums(seen, cut, clients),
    )


def _window_sums(seen: OrderArrays, cut: float, clients: int) -> dict[str, Floats]:
    """Counts and sums over the windows: one pass per weight, orders binned by (client, age
    bucket), each window a sum of bucket columns — not one masked pass per window."""
    buckets = EDGES.size + 1
    code = seen.client * buckets + np.searchsorted(EDGES, cut - seen.day, side="right")
    has_cost = ~np.isnan(seen.cost)

    def binned(weights: Floats | None = None) -> Floats:
        found = np.bincount(code, weights=weights, minlength=clients * buckets)
        return found.astype(np.float64).reshape(clients, buckets)

    count, money = binned(), binned(seen.amount)
    sales = binned(np.where(has_cost, seen.amount, 0.0))
    costs = binned(np.where(has_cost, seen.cost, 0.0))
    return {
        "orders": count.sum(axis=1), "revenue": money.sum(axis=1),
        "n90": count[:, N90].sum(axis=1), "r90": money[:, N90].sum(axis=1),
        "n90p": count[:, N90P].sum(axis=1), "r90p": money[:, N90P].sum(axis=1),
        "n365": count[:, N365].sum(axis=1), "r365": money[:, N365].sum(axis=1),
        "r365p": money[:, N365P].sum(axis=1),
        "costed": np.bincount(seen.client[has_cost], minlength=clients).astype(np.float64),
        "sales_now": sales[:, MARGIN_NOW].sum(axis=1),
        "cost_now": costs[:, MARGIN_NOW].sum(axis=1),
        "sales_then": sales[:, MARGIN_THEN].sum(axis=1),
        "cost_then": costs[:, MARGIN_THEN].sum(axis=1),
    }  # fmt: skip


def _ends(client: Ints, day: Floats, clients: int) -> tuple[Floats, Floats]:
    first = np.full(clients, np.nan)
    last = np.full(clients, np.nan)
    if client.size:
        starts = np.flatnonzero(np.r_[True, client[1:] != client[:-1]])
        ends = np.r_[starts[1:] - 1, client.size - 1]
        first[client[starts]] = day[starts]
        last[client[ends]] = day[ends]
    return first, last


def _log_gaps(client: Ints, day: Floats) -> tuple[Floats, Ints]:
    """Log gaps of a day or more between a client's consecutive orders, and their clients."""
    gap = np.diff(day)
    keep = (client[1:] == client[:-1]) & (gap >= 1.0)
    return np.log(gap[keep]), client[1:][keep]


def window_totals(
    orders: OrderArrays, *, start: float, end: float, clients: int
) -> tuple[Floats, Floats]:
    """Orders and revenue per client in ``(start, end]``: the labels of a calibration."""
    keep = (orders.day > start) & (orders.day <= end)
    c = orders.client[keep]
    count = np.bincount(c, minlength=clients).astype(np.float64)
    revenue = np.bincount(c, weights=orders.amount[keep], minlength=clients).astype(np.float64)
    return count, revenue
