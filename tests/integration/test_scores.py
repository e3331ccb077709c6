"""Scores on real databases (SQLite and PostgreSQL): the store's reads against the fake's,
kept scores and their idempotency, and nothing after ``--as-of`` leaking into the output."""

from __future__ import annotations

import io
from dataclasses import fields, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from sqlalchemy import func, select

from bot.bootstrap import Container
from bot.cli_scores import as_of_cut, print_scores
from bot.demo_writer import _store, demo_anchor
from domain.demo import generate_demo
from domain.demo_types import DemoData
from domain.scores.inputs import ScoringInputs
from domain.services.scoring import run_scores_job
from storage.models import ClientScoreRow, OrderRow
from tests.fakes import FakeUnitOfWorkFactory

AS_OF = "2026-05-31"


def demo(container: Container, clients: int = 40) -> DemoData:
    return generate_demo(clients=clients, seed=5, now=demo_anchor(container.clock()))


async def store(uows: Any, data: DemoData) -> None:
    async with uows() as uow:
        await _store(uow, data)
        await uow.commit()


def assert_same_inputs(sql: ScoringInputs, fake: ScoringInputs) -> None:
    assert sql.external_ids == fake.external_ids
    for part in ("client_ids", "created", "acquisition", "last_contact"):
        np.testing.assert_allclose(getattr(sql, part), getattr(fake, part), atol=1e-6)
    for group in ("orders", "billing", "quoting"):
        for f in fields(getattr(sql, group)):
            found, expected = (
                getattr(getattr(sql, group), f.name),
                getattr(getattr(fake, group), f.name),
            )
            np.testing.assert_allclose(found, expected, atol=1e-6, err_msg=f"{group}.{f.name}")


async def test_the_store_reads_what_the_fake_reads(container: Container) -> None:
    data = demo(container)
    fake = FakeUnitOfWorkFactory()
    await store(container.uow, data)
    await store(fake, data)
    for moment in (as_of_cut(AS_OF), container.clock()):
        async with container.uow() as uow:
            sql_inputs = await uow.scores.inputs(cut=moment)
        async with fake() as uow:
            fake_inputs = await uow.scores.inputs(cut=moment)
        assert sql_inputs.size < 40 or moment == container.clock()
        assert_same_inputs(sql_inputs, fake_inputs)
        assert sql_inputs.orders.day.max() <= sql_inputs.cut
        assert sql_inputs.billing.invoices.sum() > 0 and sql_inputs.quoting.quotes.sum() >= 0


async def test_kept_scores_replace_a_day_and_keep_history(container: Container) -> None:
    await _kept_scores_round_trip(container, container.uow)
    async with container.engine.connect() as conn:
        rows = (await conn.execute(select(func.count()).select_from(ClientScoreRow))).scalar()
    assert rows == 60  # two days, one row per client each


async def test_the_fake_keeps_scores_as_the_store_does(sqlite_container: Container) -> None:
    await _kept_scores_round_trip(sqlite_container, FakeUnitOfWorkFactory())


async def _kept_scores_round_trip(container: Container, uows: Any) -> None:
    await store(uows, demo(container, clients=30))
    day1 = datetime(2026, 11, 20, 6, tzinfo=UTC)
    first = await run_scores_job(uows, now=day1)
    assert first["clients_scored"] == 30
    assert (await run_scores_job(uows, now=day1 + timedelta(minutes=5)))["clients_scored"] == 0
    again = await run_scores_job(uows, now=day1 + timedelta(hours=3))  # stale: scored again
    assert again["clients_scored"] == 30
    await run_scores_job(uows, now=day1 + timedelta(days=1))
    async with uows() as uow:
        pairs = await uow.scores.latest_two(on_or_before=date(2026, 11, 21))
        only_first = await uow.scores.latest_two(on_or_before=date(2026, 11, 20))
        client_id = next(iter(pairs))
        latest = await uow.scores.latest(client_id, on_or_before=date(2026, 11, 30))
        earlier = await uow.scores.latest(client_id, on_or_before=date(2026, 11, 20))
        none = await uow.scores.latest(client_id, on_or_before=date(2026, 11, 19))
        computed = await uow.scores.computed_at(as_of=date(2026, 11, 20))
    assert len(pairs) == 30 and all(b is not None for _, b in pairs.values())
    assert {a.as_of for a, _ in pairs.values()} == {date(2026, 11, 21)}
    assert {b.as_of for _, b in pairs.values() if b} == {date(2026, 11, 20)}
    assert all(b is None for _, b in only_first.values())
    assert latest is not None and latest.as_of == date(2026, 11, 21)
    assert earlier is not None and earlier.as_of == date(2026, 11, 20) and none is None
    assert computed == day1 + timedelta(hours=3)
    assert latest == pairs[client_id][0]  # factors and all survive the round trip
    assert any(r.factors for r, _ in pairs.values())


def before(data: DemoData, cut: datetime) -> DemoData:
    """The demo set as it stood at ``cut``: everything dated after it left out."""
    ordered = {o.client_external_id for o in data.orders if o.ordered_at <= cut}
    clients = [c for c in data.clients if c.external_id in ordered or c.created_at <= cut]
    kept = {c.external_id for c in clients}
    invoices = [i for i in data.invoices if i.issued_at <= cut and i.client_external_id in kept]
    billed = {i.external_id for i in invoices}
    quotes = [
        q for q in data.quotes
        if q.created_at is not None and q.created_at <= cut and q.client_external_id in kept
    ]  # fmt: skip
    quoted = {q.external_id for q in quotes}
    return replace(
        data,
        clients=clients,
        orders=[o for o in data.orders if o.ordered_at <= cut],
        invoices=invoices,
        payments=[p for p in data.payments if p.paid_at <= cut and p.invoice_external_id in billed],
        quotes=quotes,
        decisions=[
            d for d in data.decisions if d.quote_external_id in quoted and d.decided_at <= cut
        ],
        activities=[a for a in data.activities if a.occurred_at <= cut],
        tasks=[],
    )


async def output(container: Container, fmt: str, as_of: str = AS_OF) -> str:
    out = io.StringIO()
    await print_scores(container, as_of=as_of, horizon_days=365, fmt=fmt, out=out)
    return out.getvalue()


async def test_nothing_after_as_of_changes_the_output(
    sqlite_container: Container, tmp_path: Any
) -> None:
    """Two databases, one holding only the past (on SQLite: a file each is cheap; the
    next test checks the same rule on both backends by deleting rows in place)."""
    from bot.bootstrap import build
    from tests.conftest import make_settings

    container = sqlite_container
    data = demo(container, clients=80)
    cut = as_of_cut(AS_OF)
    await store(container.uow, data)
    past = before(data, cut)
    assert len(past.orders) < len(data.orders) and len(past.clients) < len(data.clients)
    other_url = f"sqlite+aiosqlite:///{tmp_path / 'past.db'}"
    other = build(make_settings(other_url), clock=container.clock)
    try:
        await other.migrate()
        await store(other.uow, past)
        for fmt in ("csv", "json"):
            assert await output(container, fmt) == await output(other, fmt)
        assert await output(container, "csv", "2026-10-31") != await output(
            other, "csv", "2026-10-31"
        )
    finally:
        await other.close()


async def test_later_data_present_or_deleted_gives_the_same_output(container: Container) -> None:
    """The same rule on each backend, by deleting the later rows in place."""
    from sqlalchemy import delete

    from storage.models import ActivityRow, InvoiceRow, PaymentRow, QuoteRow

    await store(container.uow, demo(container, clients=60))
    cut = as_of_cut(AS_OF)
    with_later = await output(container, "csv")
    async with container.engine.begin() as conn:
        await conn.execute(delete(PaymentRow).where(PaymentRow.paid_at > cut))
        await conn.execute(delete(InvoiceRow).where(InvoiceRow.issued_at > cut))
        await conn.execute(delete(OrderRow).where(OrderRow.ordered_at > cut))
        await conn.execute(delete(QuoteRow).where(QuoteRow.created_at > cut))
        await conn.execute(delete(ActivityRow).where(ActivityRow.occurred_at > cut))
    assert await output(container, "csv") == with_later
    header = with_later.splitlines()[0]
    assert header.startswith("client_external_id,clv,clv_tier,expected_orders")


async def test_sqlite_reads_timestamps_written_by_hand_the_slow_way(sqlite_url: str) -> None:
    """A row written outside SQLAlchemy (no microseconds) still counts, by the row path."""
    from sqlalchemy import text

    from bot.bootstrap import build
    from tests.conftest import FixedClock, make_settings

    container = build(
        make_settings(sqlite_url), clock=FixedClock(datetime(2026, 11, 25, tzinfo=UTC))
    )
    try:
        await store(container.uow, demo(container, clients=12))
        cut = as_of_cut(AS_OF)
        async with container.uow() as uow:
            before_rows = await uow.scores.inputs(cut=cut)
        async with container.engine.begin() as conn:
            await conn.execute(text(
                "INSERT INTO orders (external_id, client_id, ordered_at, amount, cost) "
                "VALUES ('HAND-1', 1, '2026-01-05 10:00:00', 123.45, NULL)"
            ))  # fmt: skip
        async with container.uow() as uow:
            after = await uow.scores.inputs(cut=cut)
        assert after.orders.client.size == before_rows.orders.client.size + 1
        hand = np.isclose(after.orders.amount, 123.45) & np.isnan(after.orders.cost)
        assert hand.sum() == 1
        day = datetime(2026, 1, 5, 10, tzinfo=UTC).timestamp() / 86_400
        assert after.orders.day[hand][0] == pytest.approx(day, abs=1e-6)
    finally:
        await container.close()
