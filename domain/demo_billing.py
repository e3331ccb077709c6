"""Demo invoices and payments: one invoice per order, paid on time, late, partly or not."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from domain.demo_util import business_ts, money
from domain.model import Invoice, Order, Payment

RECENT_DAYS = 180
LATE_CHANCE = {"good": 0.08, "slow": 0.4, "bad": 0.6}
# Chance that an invoice is never paid: recent ones, and old ones only for bad payers.
UNPAID_RECENT = {"good": 0.04, "slow": 0.06, "bad": 0.2}
UNPAID_OLD = {"good": 0.0, "slow": 0.0, "bad": 0.02}
PARTIAL_CHANCE = 0.03


def make_billing(
    rng: random.Random, orders: list[Order], *, terms_days: int, payer: str, now: datetime
) -> tuple[list[Invoice], list[Payment]]:
    invoices: list[Invoice] = []
    payments: list[Payment] = []
    terms = timedelta(days=terms_days)
    now_ts = now.timestamp()
    for order in orders:
        invoice = Invoice(
            external_id="I" + order.external_id[1:],
            client_external_id=order.client_external_id,
            issued_at=order.ordered_at,
            due_at=order.ordered_at + terms,
            amount=order.amount,
            order_external_id=order.external_id,
        )
        invoices.append(invoice)
        payments += _payments(rng, invoice, terms_days=terms_days, payer=payer, now_ts=now_ts)
    return invoices, payments


def _payments(
    rng: random.Random, invoice: Invoice, *, terms_days: int, payer: str, now_ts: float
) -> list[Payment]:
    issued_ts = invoice.issued_at.timestamp()
    age_days = (now_ts - issued_ts) / 86_400
    unpaid = (UNPAID_RECENT if age_days <= RECENT_DAYS else UNPAID_OLD)[payer]
    if rng.random() < unpaid:
        return []
    if rng.random() < LATE_CHANCE[payer]:
        paid_days = terms_days + 10 + 50 * rng.random()
    else:
        paid_days = terms_days * (0.2 + 0.8 * rng.random())
    paid_ts = max(business_ts(rng, issued_ts + paid_days * 86_400), int(issued_ts))
    if paid_ts > now_ts:
        return []  # not paid yet
    paid_at = datetime.fromtimestamp(paid_ts, UTC)
    pid = "P" + invoice.external_id[1:]
    if rng.random() >= PARTIAL_CHANCE:
        return [Payment(pid, invoice.external_id, paid_at, invoice.amount)]
    first = money(float(invoice.amount) * 100 * rng.uniform(0.4, 0.8))
    paid = [Payment(pid, invoice.external_id, paid_at, first)]
    if rng.random() < 0.5:  # the rest follows later, or is still owed
        rest_ts = business_ts(rng, paid_ts + rng.uniform(15, 45) * 86_400)
        rest_at = datetime.fromtimestamp(rest_ts, UTC)
        paid.append(Payment(f"{pid}-2", invoice.external_id, rest_at, invoice.amount - first))
    return [payment for payment in paid if payment.paid_at.timestamp() <= now_ts]


def open_receivables(invoices: list[Invoice], payments: list[Payment], *, at: datetime) -> Decimal:
    """What the client owed at ``at``: invoiced minus paid, both dated on or before ``at``."""
    invoiced = sum((i.amount for i in invoices if i.issued_at <= at), Decimal(0))
    paid = sum((p.amount for p in payments if p.paid_at <= at), Decimal(0))
    return invoiced - paid
