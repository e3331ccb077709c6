"""Realistic synthetic CRM data for B2B distributors, for demos, tests and benchmarks.

``generate_demo`` is pure: everything comes from one ``random.Random(seed)`` and the given
``now``, so the same arguments always give equal data. Event dates (orders, invoices,
payments, activities, creations, decisions, completions) are never after ``now``;
deadlines (invoice ``due_at``, task ``due_at``, quote ``valid_until``) may be.
"""

from __future__ import annotations

import gc
import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal

from domain.demo_billing import make_billing, open_receivables
from domain.demo_clients import ESCAPING_NAME, NEAR_DUPLICATES, make_clients
from domain.demo_engagement import Engagement
from domain.demo_orders import Profile, draw_profile, make_orders
from domain.demo_quotes import QuoteMaker, quote_count
from domain.demo_team import make_team
from domain.demo_types import DemoActivity, DemoData, DemoDecision, DemoTask
from domain.demo_util import as_utc
from domain.model import Invoice, Payment, Role, User

__all__ = [
    "ESCAPING_NAME",
    "NEAR_DUPLICATES",
    "DemoActivity",
    "DemoData",
    "DemoDecision",
    "DemoTask",
    "generate_demo",
]


def generate_demo(*, clients: int, seed: int, now: datetime) -> DemoData:
    """Exactly ``clients`` clients with a team, order history, billing, engagement and quotes.

    ``now`` is the moment the data set is "as of"; a naive ``now`` is taken to be UTC.
    """
    if clients < 0:
        raise ValueError(f"clients must be 0 or more, not {clients}")
    with _gc_paused():
        return _generate(clients=clients, seed=seed, now=now)


def _generate(*, clients: int, seed: int, now: datetime) -> DemoData:
    rng = random.Random(seed)
    now = as_utc(now).replace(microsecond=0)
    data = DemoData(users=make_team(rng))
    reps = [u.slack_user_id for u in data.users if u.role is Role.REP]
    profiles = [draw_profile(rng) for _ in range(clients)]
    data.clients = make_clients(
        rng, now=now, owners=reps, created_days_ago=[p.created_days_ago for p in profiles]
    )
    ledgers = _history(rng, data, profiles, now=now)
    _quotes(rng, data, ledgers, now=now)
    return data


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Millions of acyclic objects make the cyclic collector run over and over for nothing
    (a third of the time at 10 000 clients); pause it, then restore what it was."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _history(
    rng: random.Random, data: DemoData, profiles: list[Profile], *, now: datetime
) -> dict[str, tuple[list[Invoice], list[Payment]]]:
    """Orders, billing, activities and tasks, client by client; returns each one's ledger."""
    engagement = Engagement(rng, users=data.users, now=now)
    ledgers = {}
    for client, profile in zip(data.clients, profiles, strict=True):
        orders = make_orders(
            rng, profile, client_id=client.external_id, now=now, first_number=len(data.orders) + 1
        )
        invoices, payments = make_billing(
            rng, orders, terms_days=client.payment_terms_days or 30, payer=profile.payer, now=now
        )
        data.orders += orders
        data.invoices += invoices
        data.payments += payments
        ledgers[client.external_id] = (invoices, payments)
        category = profile.categories[0]
        data.activities += engagement.activities(client, kind=profile.kind, category=category)
        data.tasks += engagement.tasks(client, category=category)
    return ledgers


def _quotes(
    rng: random.Random,
    data: DemoData,
    ledgers: dict[str, tuple[list[Invoice], list[Payment]]],
    *,
    now: datetime,
) -> None:
    users = {u.slack_user_id: u for u in data.users}
    finance = [u.slack_user_id for u in data.users if u.role is Role.FINANCE]

    def approver(level: str, requester: str) -> str:
        if level == "finance":
            return rng.choice(finance)
        return _manager(users, requester)

    def owed(client_id: str, at: datetime) -> Decimal:
        return open_receivables(*ledgers[client_id], at=at)

    maker = QuoteMaker(rng, now=now, approver=approver, owed=owed)
    count = quote_count(len(data.clients))
    chosen = rng.sample(data.clients, count)
    stages = maker.stages(count)
    for number, (client, stage) in enumerate(zip(chosen, stages, strict=True), start=1):
        quote, decisions = maker.make(client, number=number, stage=stage)
        data.quotes.append(quote)
        data.decisions += decisions


def _manager(users: dict[str, User], slack_id: str) -> str:
    user = users.get(slack_id)
    if user is None or user.manager_slack_user_id is None:
        raise LookupError(f"{slack_id} has no manager to approve their quotes")
    return user.manager_slack_user_id
