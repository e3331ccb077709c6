"""What scoring reads from storage, as arrays aligned on the client population.

Storage fills these with set-based queries (or, for tests and the health card's one
client, from plain lists); everything dated after the cut is left out by the loader.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from domain.scores.arrays import OrderArrays

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]
DAY_SECONDS = 86_400.0


@dataclass(frozen=True)
class Billing:
    """Per client, invoices issued on or before the cut and payments made by then."""

    invoices: Floats  # issued on or before the cut
    due: Floats  # of those, due on or before the cut
    late: Floats  # of the due: settled after the due date, or still open
    settled_late: Floats  # settled after the due date
    late_days: Floats  # total days past due at settlement of those settled late
    overdue: Floats  # open amount past due
    oldest: Floats  # days past due of the oldest open overdue invoice; 0 without one
    invoiced_year: Floats  # amount invoiced in the last 365 days

    @classmethod
    def empty(cls, clients: int) -> Billing:
        zeros = [np.zeros(clients) for _ in range(8)]
        return cls(*zeros)


@dataclass(frozen=True)
class Quoting:
    """Per client, quotes created on or before the cut."""

    quotes: Floats
    discounted: Floats  # with a discount above zero
    discount_total: Floats  # sum of discount percentages

    @classmethod
    def empty(cls, clients: int) -> Quoting:
        return cls(np.zeros(clients), np.zeros(clients), np.zeros(clients))


@dataclass(frozen=True)
class ScoringInputs:
    """The population as of ``cut`` (days since the Unix epoch), one entry per client.

    A client belongs to it when created on or before the cut or when it has an order dated
    on or before it (imports may create clients after their history).
    """

    cut: float
    client_ids: Ints
    external_ids: list[str]
    created: Floats  # days; NaN unknown
    acquisition: Floats  # acquisition cost; 0 unknown
    orders: OrderArrays
    billing: Billing
    quoting: Quoting
    last_contact: Floats  # days of the last logged contact on or before the cut; NaN none

    @property
    def size(self) -> int:
        return len(self.external_ids)


@dataclass(frozen=True)
class InvoiceArrays:
    """Invoices as parallel arrays (days since the epoch; ``paid`` and ``last_paid`` count
    only payments made on or before the cut they are read for; ``last_paid`` NaN: none)."""

    client: Ints
    issued: Floats
    due: Floats
    amount: Floats
    paid: Floats
    last_paid: Floats


def billing_of(inv: InvoiceArrays, *, cut: float, clients: int) -> Billing:
    """``Billing`` from invoice rows: what the SQL reads compute, defined once here.

    An invoice is settled when paid to within half a cent; it is late when due by the cut
    and settled after its due date, or not settled at all.
    """
    keep = inv.issued <= cut
    c, due, amount = inv.client[keep], inv.due[keep], inv.amount[keep]
    paid, last = inv.paid[keep], inv.last_paid[keep]
    due_now = due <= cut
    settled = paid >= amount - 0.005
    settled_late = settled & (np.nan_to_num(last, nan=-np.inf) > due)
    open_late = due_now & ~settled

    def total(mask: NDArray[np.bool_], weights: Floats | None = None) -> Floats:
        w = None if weights is None else weights[mask]
        return np.bincount(c[mask], weights=w, minlength=clients).astype(np.float64)

    oldest = np.zeros(clients)
    np.maximum.at(oldest, c[open_late], cut - due[open_late])
    return Billing(
        invoices=total(np.ones(c.size, dtype=bool)),
        due=total(due_now),
        late=total(settled_late | open_late),
        settled_late=total(settled_late),
        late_days=total(settled_late, np.nan_to_num(last) - due),
        overdue=total(open_late, amount - paid),
        oldest=oldest,
        invoiced_year=total(inv.issued[keep] > cut - 365.0, amount),
    )
