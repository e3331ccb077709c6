"""The demo-data generator: exact, deterministic, consistent and realistic enough to test on."""

from __future__ import annotations

import ast
import statistics
import sys
from collections import Counter, defaultdict
from dataclasses import fields, is_dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from domain import demo_clients
from domain.demo import ESCAPING_NAME, NEAR_DUPLICATES, DemoData, generate_demo
from domain.demo_team import TIMEZONES
from domain.demo_words import CATEGORIES
from domain.model import (
    ActivityType,
    Decision,
    Invoice,
    Order,
    Payment,
    QuoteStatus,
    Role,
    TaskOrigin,
    TaskStatus,
)

NOW = datetime(2026, 3, 13, 15, 30, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]
# Deadlines may lie after now; every other date is an event that has happened.
DEADLINES = {"due_at", "valid_until"}


@pytest.fixture(scope="module", params=[7, 2024])
def demo(request: pytest.FixtureRequest) -> DemoData:
    """A set large enough for its proportions to show."""
    return generate_demo(clients=300, seed=request.param, now=NOW)


@pytest.fixture(scope="module", params=[(1, 7), (10, 8), (25, 9), (300, 7), (300, 2024)])
def any_set(request: pytest.FixtureRequest) -> DemoData:
    """Sets of every size, for what must hold whatever the size."""
    clients, seed = request.param
    return generate_demo(clients=clients, seed=seed, now=NOW)


def _records(data: DemoData) -> list[object]:
    return [record for f in fields(data) for record in getattr(data, f.name)]


def _dates(record: object) -> dict[str, datetime]:
    assert is_dataclass(record)
    values = {f.name: getattr(record, f.name) for f in fields(record)}
    return {name: value for name, value in values.items() if isinstance(value, datetime)}


def _payments_by_invoice(data: DemoData) -> dict[str, list[Payment]]:
    paid: dict[str, list[Payment]] = defaultdict(list)
    for payment in data.payments:
        paid[payment.invoice_external_id].append(payment)
    return paid


def _orders_by_client(data: DemoData) -> dict[str, list[Order]]:
    orders: dict[str, list[Order]] = defaultdict(list)
    for order in data.orders:
        orders[order.client_external_id].append(order)
    return orders


@pytest.mark.parametrize("count", [0, 1, 9, 10, 25, 300])
def test_exactly_the_requested_number_of_clients(count: int) -> None:
    data = generate_demo(clients=count, seed=1, now=NOW)
    assert len(data.clients) == count
    assert [c.external_id for c in data.clients] == [f"C{i:05d}" for i in range(1, count + 1)]


def test_a_negative_count_is_refused() -> None:
    with pytest.raises(ValueError, match="-1"):
        generate_demo(clients=-1, seed=1, now=NOW)


def test_the_same_seed_and_now_give_equal_data() -> None:
    first = generate_demo(clients=120, seed=42, now=NOW)
    second = generate_demo(clients=120, seed=42, now=NOW)
    assert first == second
    assert len(first.orders) > 0


def test_another_seed_gives_other_data() -> None:
    first = generate_demo(clients=50, seed=1, now=NOW)
    second = generate_demo(clients=50, seed=2, now=NOW)
    assert [c.name for c in first.clients] != [c.name for c in second.clients]
    assert [o.amount for o in first.orders] != [o.amount for o in second.orders]


def test_a_naive_now_is_taken_as_utc() -> None:
    naive = generate_demo(clients=20, seed=3, now=NOW.replace(tzinfo=None))
    assert naive == generate_demo(clients=20, seed=3, now=NOW)


def test_every_date_is_whole_second_utc(any_set: DemoData) -> None:
    for record in _records(any_set):
        for name, value in _dates(record).items():
            assert value.utcoffset() == timedelta(0), (record, name)
            assert value.microsecond == 0, (record, name)


def test_nothing_happens_after_now(any_set: DemoData) -> None:
    checked = 0
    for record in _records(any_set):
        for name, value in _dates(record).items():
            if name not in DEADLINES:
                assert value <= NOW, (record, name)
                checked += 1
    assert checked > len(any_set.orders) * 2


def test_every_reference_resolves(any_set: DemoData) -> None:
    users = {u.slack_user_id: u for u in any_set.users}
    clients = {c.external_id for c in any_set.clients}
    orders = {o.external_id: o for o in any_set.orders}
    invoices = {i.external_id: i for i in any_set.invoices}
    quotes = {q.external_id: q for q in any_set.quotes}
    assert all(c.owner_slack_user_id in users for c in any_set.clients)
    assert all(o.client_external_id in clients for o in any_set.orders)
    for invoice in any_set.invoices:
        assert invoice.order_external_id is not None
        order = orders[invoice.order_external_id]
        assert invoice.client_external_id == order.client_external_id
    assert all(p.invoice_external_id in invoices for p in any_set.payments)
    for activity in any_set.activities:
        assert activity.client_external_id in clients
        assert activity.author_slack_user_id in users
    for task in any_set.tasks:
        assert task.client_external_id in clients
        assert task.assignee_slack_user_id in users
        assert task.created_by_slack_user_id in users
    for quote in any_set.quotes:
        assert quote.client_external_id in clients
        assert users[quote.requested_by_slack_user_id].role is Role.REP
    for decision in any_set.decisions:
        assert decision.quote_external_id in quotes
        assert decision.approver_slack_user_id in users
    for user in any_set.users:
        if user.manager_slack_user_id is not None:
            assert user.manager_slack_user_id in users


def test_external_ids_and_client_names_are_unique(any_set: DemoData) -> None:
    for kind in ("clients", "orders", "invoices", "payments", "quotes"):
        ids = [record.external_id for record in getattr(any_set, kind)]
        assert len(ids) == len(set(ids)), kind
    names = [c.name.casefold() for c in any_set.clients]
    assert len(names) == len(set(names))
    assert len({u.slack_user_id for u in any_set.users}) == len(any_set.users)


def test_names_stay_unique_beyond_the_word_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    for words in ("COMPANY_PREFIXES", "COMPANY_CORES", "COMPANY_SUFFIXES", "CITIES"):
        monkeypatch.setattr(demo_clients, words, ("Lone",))
    monkeypatch.setattr(demo_clients, "LAST_NAMES", ("Ash", "Oak"))
    data = generate_demo(clients=200, seed=5, now=NOW)
    names = [c.name.casefold() for c in data.clients]
    assert len(set(names)) == 200
    assert "lone lone of lone 2" in names


def test_the_team(demo: DemoData) -> None:
    roles = Counter(u.role for u in demo.users)
    assert roles[Role.REP] == 8
    assert roles[Role.MANAGER] in (2, 3)
    assert roles[Role.FINANCE] == 2
    assert roles[Role.ADMIN] == 1
    users = {u.slack_user_id: u for u in demo.users}
    for user in demo.users:
        assert user.slack_user_id.startswith("U0DEMO")
        assert user.email is not None and user.email.endswith("@example.com")
        assert user.timezone in TIMEZONES
        if user.role is Role.REP:
            assert user.manager_slack_user_id is not None
            assert users[user.manager_slack_user_id].role is Role.MANAGER
    assert {u.timezone for u in demo.users} == set(TIMEZONES)


def test_client_fields_are_plausible(demo: DemoData) -> None:
    reps = {u.slack_user_id for u in demo.users if u.role is Role.REP}
    for client in demo.clients:
        assert client.owner_slack_user_id in reps
        assert client.credit_limit is not None
        assert Decimal(10_000) <= client.credit_limit <= Decimal(250_000)
        assert client.payment_terms_days in (15, 30, 45, 60)
        assert len(client.tags) == 2
        assert client.acquisition_cost is not None and client.acquisition_cost > 0
        assert client.created_at is not None
        assert NOW - timedelta(days=4 * 366) <= client.created_at <= NOW
        assert client.email is not None and client.email.endswith(".example.com")
    assert len({c.owner_slack_user_id for c in demo.clients}) == len(reps)


def test_the_resolution_and_escaping_clients(demo: DemoData) -> None:
    names = [c.name for c in demo.clients]
    assert names.count(ESCAPING_NAME) == 1
    assert ESCAPING_NAME == "<!channel> & Co"
    for name in NEAR_DUPLICATES:
        assert names.count(name) == 1
    small = {c.name for c in generate_demo(clients=9, seed=1, now=NOW).clients}
    assert not small & {ESCAPING_NAME, *NEAR_DUPLICATES}


def test_orders_are_consistent(demo: DemoData) -> None:
    first_order: dict[str, datetime] = {}
    for order in demo.orders:
        first_order.setdefault(order.client_external_id, order.ordered_at)
        assert order.amount >= Decimal(50)
        assert order.cost is not None
        assert Decimal("0.59") <= order.cost / order.amount <= Decimal("0.86")
        assert order.category in CATEGORIES
        assert order.items is not None and order.items >= 1
        assert order.ordered_at >= NOW - timedelta(days=3 * 365 + 6)
    created = {c.external_id: c.created_at for c in demo.clients}
    for client_id, first in first_order.items():
        client_created = created[client_id]
        assert client_created is not None and first >= client_created - timedelta(days=6)


def test_fourth_quarter_orders_are_larger(demo: DemoData) -> None:
    ratios = []
    for orders in _orders_by_client(demo).values():
        q4 = [float(o.amount) for o in orders if o.ordered_at.month >= 10]
        spring_summer = [float(o.amount) for o in orders if 3 <= o.ordered_at.month <= 9]
        if len(q4) >= 2 and len(spring_summer) >= 2:
            ratios.append(statistics.mean(q4) / statistics.mean(spring_summer))
    assert len(ratios) >= 100
    assert statistics.median(ratios) > 1.1


def test_order_rhythms(demo: DemoData) -> None:
    by_client = _orders_by_client(demo)
    lapsed = [o for o in by_client.values() if o[-1].ordered_at < NOW - timedelta(days=180)]
    one_time = [o for o in by_client.values() if len(o) == 1]
    new = [o for o in by_client.values() if o[0].ordered_at > NOW - timedelta(days=60)]
    regular = [o for o in by_client.values() if _is_regular(o)]
    assert 0.1 * len(demo.clients) <= len(lapsed) <= 0.4 * len(demo.clients)
    assert len(one_time) >= 0.05 * len(demo.clients)
    assert len(new) >= 0.03 * len(demo.clients)
    assert len(regular) >= 0.3 * len(demo.clients)
    drifting = [orders for orders in lapsed if len(orders) >= 5]
    assert len(drifting) >= 0.05 * len(demo.clients)
    assert sum(map(_gaps_grow, drifting)) >= 0.4 * len(drifting)


def test_clients_lapse_all_through_the_history_and_some_come_back(demo: DemoData) -> None:
    """Repeat buyers stop at any time, not only lately — so that a year of the past holds
    buyers who stopped, as real data does and as a model calibrated on the past needs — and
    some who stopped come back after a long pause."""
    repeat = [o for o in _orders_by_client(demo).values() if len(o) >= 2]
    stopped = [o[-1].ordered_at for o in repeat if o[-1].ordered_at < NOW - timedelta(days=180)]
    first_year = [last for last in stopped if last < NOW - timedelta(days=545)]
    assert len(first_year) >= 0.01 * len(demo.clients)
    assert len(stopped) - len(first_year) >= 0.05 * len(demo.clients)
    assert sum(map(_came_back, repeat)) >= 0.015 * len(demo.clients)


def _came_back(orders: list[Order]) -> bool:
    """A pause of four months or more, over three times the client's usual gap, then
    orders again up to the last 120 days."""
    gaps = [(b.ordered_at - a.ordered_at).days for a, b in pairwise(orders)]
    if len(gaps) < 4 or orders[-1].ordered_at < NOW - timedelta(days=120):
        return False
    pause = max(gaps)
    at = gaps.index(pause)
    usual = statistics.median(gaps[:at] + gaps[at + 1 :])
    return at < len(gaps) - 1 and pause >= 120 and pause > 3 * usual


def _is_regular(orders: list[Order]) -> bool:
    gaps = [(b.ordered_at - a.ordered_at).days for a, b in pairwise(orders)]
    return (
        len(gaps) >= 8
        and orders[-1].ordered_at > NOW - timedelta(days=120)
        and statistics.pstdev(gaps) < 0.6 * statistics.mean(gaps)
    )


def _gaps_grow(orders: list[Order]) -> bool:
    """The last gaps are much longer than the client's usual one: it is drifting away."""
    gaps = [(b.ordered_at - a.ordered_at).days for a, b in pairwise(orders)]
    return statistics.mean(gaps[-3:]) > 1.5 * statistics.median(gaps[:-3])


def test_invoices_follow_orders(any_set: DemoData) -> None:
    orders = {o.external_id: o for o in any_set.orders}
    terms = {c.external_id: c.payment_terms_days for c in any_set.clients}
    assert len(any_set.invoices) == len(any_set.orders)
    for invoice in any_set.invoices:
        assert invoice.order_external_id is not None
        order = orders[invoice.order_external_id]
        assert (invoice.amount, invoice.issued_at) == (order.amount, order.ordered_at)
        days = terms[invoice.client_external_id]
        assert days is not None
        assert invoice.due_at == invoice.issued_at + timedelta(days=days)


def test_payments_late_partial_and_missing(demo: DemoData) -> None:
    paid = _payments_by_invoice(demo)
    late = unpaid_overdue = partial = 0
    for invoice in demo.invoices:
        payments = paid[invoice.external_id]
        total = sum((p.amount for p in payments), Decimal(0))
        assert total <= invoice.amount
        assert all(p.paid_at >= invoice.issued_at and p.amount > 0 for p in payments)
        if not payments:
            unpaid_overdue += invoice.due_at < NOW
        elif total < invoice.amount:
            partial += 1
        elif max(p.paid_at for p in payments) >= invoice.due_at + timedelta(days=10):
            late += 1
    assert 0.05 * len(demo.invoices) <= late <= 0.4 * len(demo.invoices)
    assert unpaid_overdue >= 10
    # Late payers pay at most 60 days after the due date; what is still open then never was.
    recent = [
        invoice
        for invoice in demo.invoices
        if invoice.issued_at > NOW - timedelta(days=180)
        and invoice.due_at < NOW - timedelta(days=61)
    ]
    never_paid = [invoice for invoice in recent if not paid[invoice.external_id]]
    assert 2 <= len(never_paid) <= 0.2 * len(recent)
    assert partial >= 3
    assert len(demo.payments) > 0.9 * len(demo.invoices)


def test_activities(demo: DemoData) -> None:
    year_ago = NOW - timedelta(days=366)
    assert {a.type for a in demo.activities} == set(ActivityType)
    assert all(a.occurred_at >= year_ago and a.notes for a in demo.activities)
    assert any("send pricing by" in a.notes for a in demo.activities)
    per_client = Counter(a.client_external_id for a in demo.activities)
    assert len(per_client) >= 0.7 * len(demo.clients)
    assert max(per_client.values()) <= 6


def test_tasks_in_every_state(demo: DemoData) -> None:
    zones = {u.slack_user_id: ZoneInfo(u.timezone or "UTC") for u in demo.users}
    states: Counter[str] = Counter()
    for task in demo.tasks:
        assert task.origin is TaskOrigin.MANUAL
        assert task.created_at is not None and task.created_at < task.due_at
        if task.status is TaskStatus.DONE:
            assert task.completed_at is not None and task.created_at <= task.completed_at
            states["done"] += 1
            continue
        assert task.status is TaskStatus.OPEN and task.completed_at is None
        zone = zones[task.assignee_slack_user_id]
        today = NOW.astimezone(zone).date()
        due = task.due_at.astimezone(zone).date()
        states["overdue" if due < today else "today" if due == today else "upcoming"] += 1
    assert set(states) == {"done", "overdue", "today", "upcoming"}


def test_quotes_at_every_stage(demo: DemoData) -> None:
    decided = defaultdict(list)
    for decision in demo.decisions:
        decided[decision.quote_external_id].append(decision)
    stages = set()
    for quote in demo.quotes:
        decisions = decided[quote.external_id]
        names = tuple(d.level_name for d in decisions)
        stages.add((quote.status, names))
        assert Decimal(2_000) <= quote.total <= Decimal(120_000)
        assert Decimal(0) <= quote.discount_pct <= Decimal(25)
    assert len(demo.quotes) == len(demo.clients) // 5
    assert {status for status, _ in stages} == set(QuoteStatus)
    assert (QuoteStatus.APPROVED, ()) in stages  # approved on arrival
    assert (QuoteStatus.APPROVED, ("manager", "finance")) in stages
    assert (QuoteStatus.PENDING, ()) in stages  # waiting on a manager
    assert (QuoteStatus.PENDING, ("manager",)) in stages  # waiting on finance
    assert any(status is QuoteStatus.REJECTED for status, _ in stages)


def test_quotes_agree_with_the_default_policy(any_set: DemoData) -> None:
    users = {u.slack_user_id: u for u in any_set.users}
    clients = {c.external_id: c for c in any_set.clients}
    invoices: dict[str, list[Invoice]] = defaultdict(list)
    for invoice in any_set.invoices:
        invoices[invoice.client_external_id].append(invoice)
    paid = _payments_by_invoice(any_set)
    decided = defaultdict(list)
    for decision in any_set.decisions:
        decided[decision.quote_external_id].append(decision)
    for quote in any_set.quotes:
        client, created = clients[quote.client_external_id], quote.created_at
        assert created is not None and client.credit_limit is not None
        assert quote.valid_until is not None
        owed = _owed(invoices[client.external_id], paid, at=created)
        levels = _default_policy(
            total=quote.total,
            discount=quote.discount_pct,
            over_credit=owed + quote.total > client.credit_limit,
        )
        decisions = decided[quote.external_id]
        assert [(d.level, d.level_name) for d in decisions] == levels[: len(decisions)]
        moments = [created] + [d.decided_at for d in decisions]
        assert moments == sorted(moments)
        requester = users[quote.requested_by_slack_user_id]
        for decision in decisions:
            approver = decision.approver_slack_user_id
            assert approver != requester.slack_user_id
            if decision.level_name == "manager":
                assert approver == requester.manager_slack_user_id
            else:
                assert users[approver].role is Role.FINANCE
        verdicts = [d.decision for d in decisions]
        if quote.status is QuoteStatus.APPROVED:
            assert len(decisions) == len(levels)
            assert set(verdicts) <= {Decision.APPROVED}
        elif quote.status is QuoteStatus.REJECTED:
            assert verdicts[-1] is Decision.REJECTED and decisions[-1].comment
            assert set(verdicts[:-1]) <= {Decision.APPROVED}
        else:
            assert len(decisions) < len(levels)
            assert set(verdicts) <= {Decision.APPROVED}
            if quote.status is QuoteStatus.PENDING:
                assert quote.valid_until > NOW
            else:
                assert quote.valid_until < NOW


def _owed(invoices: list[Invoice], paid: dict[str, list[Payment]], *, at: datetime) -> Decimal:
    issued = sum((i.amount for i in invoices if i.issued_at <= at), Decimal(0))
    payments = [p for i in invoices for p in paid[i.external_id] if p.paid_at <= at]
    return issued - sum((p.amount for p in payments), Decimal(0))


def _default_policy(
    *, total: Decimal, discount: Decimal, over_credit: bool
) -> list[tuple[int, str]]:
    """CONTRACT §4.4's built-in levels, written out independently of the generator."""
    levels = []
    if discount > 10 or total >= 10_000:
        levels.append((1, "manager"))
    if total >= 50_000 or over_credit:
        levels.append((2, "finance"))
    return levels


def test_demo_modules_import_only_the_standard_library_and_domain() -> None:
    for path in sorted((ROOT / "domain").glob("demo*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                roots = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                roots = [(node.module or "").split(".")[0]]
            else:
                continue
            for root in roots:
                assert root == "domain" or root in sys.stdlib_module_names, (path.name, root)
