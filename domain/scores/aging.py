"""Accounts receivable aging and how money is written in chat.

Buckets are by whole days past due at ``now``. An invoice not yet due is *current* and is
kept apart from the 0–30 bucket: 0–30 holds invoices whose due date has passed by 0 to 30
days (due earlier today counts as 0), 31–60, 61–90 and 90+ (91 days and more) likewise.
The open amount of an invoice is its amount less what was paid on or before ``now``; an
overpaid invoice counts as nothing open, never as a credit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from domain.ports_chat import InvoiceLine

ZERO = Decimal(0)
BUCKETS = ("0–30", "31–60", "61–90", "90+")


@dataclass(frozen=True)
class Aging:
    current: Decimal = ZERO  # open, not yet due
    d0_30: Decimal = ZERO
    d31_60: Decimal = ZERO
    d61_90: Decimal = ZERO
    d90_plus: Decimal = ZERO
    open_invoices: int = 0
    overdue_invoices: int = 0
    oldest_days_overdue: int | None = None

    @property
    def overdue(self) -> Decimal:
        return self.d0_30 + self.d31_60 + self.d61_90 + self.d90_plus

    @property
    def total(self) -> Decimal:
        """All open receivables: current plus overdue."""
        return self.current + self.overdue

    @property
    def buckets(self) -> tuple[Decimal, Decimal, Decimal, Decimal]:
        """The overdue buckets in the order of ``BUCKETS``."""
        return (self.d0_30, self.d31_60, self.d61_90, self.d90_plus)

    def overdue_beyond(self, days: int) -> Decimal:
        """Open amount more than ``days`` past due (``days`` is 30, 60 or 90)."""
        return sum(self.buckets[days // 30 :], ZERO)


def days_past_due(due_at: datetime, now: datetime) -> int | None:
    """Whole days since ``due_at``; None while it is still ahead."""
    if due_at > now:
        return None
    return (now - due_at).days


def ar_aging(invoices: Iterable[InvoiceLine], now: datetime) -> Aging:
    """Open receivables at ``now`` by days past due (see the module docstring)."""
    sums = [ZERO] * 5  # current, 0–30, 31–60, 61–90, 90+
    open_count = overdue_count = 0
    oldest: int | None = None
    for invoice in invoices:
        if invoice.issued_at > now:
            continue
        left = invoice.amount - invoice.paid
        if left <= 0:
            continue
        open_count += 1
        days = days_past_due(invoice.due_at, now)
        if days is None:
            sums[0] += left
            continue
        overdue_count += 1
        oldest = days if oldest is None else max(oldest, days)
        sums[1 + min(3, max(0, days - 1) // 30)] += left
    current, d0_30, d31_60, d61_90, d90_plus = sums
    return Aging(current, d0_30, d31_60, d61_90, d90_plus, open_count, overdue_count, oldest)


def format_money(amount: Decimal, currency: str = "USD") -> str:
    """`$12,400` for USD (whole units, half up), `EUR 12,400` otherwise; exact, no floats."""
    whole = amount.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    sign = "-" if whole < 0 else ""
    digits = f"{abs(whole):,}"
    if currency.upper() == "USD":
        return f"{sign}${digits}"
    return f"{sign}{currency.upper()} {digits}"
