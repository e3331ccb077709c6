"""SqlClientSnapshots.load on SQLite and PostgreSQL: everything as of ``now``, nothing after."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import event, update

from bot.bootstrap import Container
from bot.localslack_limits import check_message
from bot.slack.render import message
from domain.model import (
    Activity,
    ActivityType,
    Client,
    Invoice,
    Order,
    Payment,
    Quote,
    QuoteStatus,
    Surface,
    Task,
    TaskStatus,
    User,
)
from domain.ports_chat import InvoiceLine, OrderLine
from domain.services.health import HealthSnapshot, health_card, load_health
from storage.models import ActivityRow

NOW = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)
D = Decimal


def at(days: float) -> datetime:
    """``days`` after NOW (negative: before)."""
    return NOW + timedelta(days=days)


async def seed(container: Container) -> int:
    async with container.uow() as uow:
        await uow.users.upsert_many(
            [User("U1", "Dana"), User("U2", "Lee"), User("U3", "Sam <ops>")]
        )
        await uow.clients.upsert_many(
            [
                Client("ACME", "Acme & Co", owner_slack_user_id="U1", acquisition_cost=D(500)),
                Client("OTHER", "Other Ltd", owner_slack_user_id="U2"),
            ]
        )
        await uow.orders.upsert_many(
            [
                Order("O1", "ACME", at(-200), D("1000.10"), cost=D(600)),
                Order("O2", "ACME", at(-100), D(2000)),
                Order("O3", "ACME", at(-10), D(3000)),
                Order("O4", "ACME", at(1), D(9999)),  # after now
                Order("X1", "OTHER", at(-5), D(7777)),
            ]
        )
        await uow.invoices.upsert_many(
            [
                Invoice("I1", "ACME", at(-100), at(-70), D(2000), order_external_id="O2"),
                Invoice("I2", "ACME", at(-10), at(20), D(3000)),
                Invoice("I3", "ACME", at(1), at(31), D(9999)),  # issued after now
                Invoice("I4", "ACME", at(-300), at(-270), D(400)),
                Invoice("I5", "ACME", at(-50), at(-20), D("1.00")),
                Invoice("X2", "OTHER", at(-50), at(-20), D(5555)),
            ]
        )
        await uow.payments.upsert_many(
            [
                Payment("P1", "I1", at(-60), D(500)),
                Payment("P2", "I1", at(-5), D(300)),
                Payment("P3", "I1", at(2), D(1200)),  # paid after now: still open then
                Payment("P4", "I4", at(-250), D(400)),
                Payment("P5", "I5", at(-30), D("0.10")),
                Payment("P6", "I5", at(-29), D("0.20")),
                Payment("P7", "X2", at(-1), D(5555)),
            ]
        )
        ids = await uow.clients.ids_for(["ACME", "OTHER"])
        acme, other = ids["ACME"], ids["OTHER"]
        await _work(uow, acme, other)
        await uow.commit()
    return acme


async def _work(uow: Any, acme: int, other: int) -> None:
    def activity(client: int, notes: str, when: datetime, author: str) -> Activity:
        return Activity(client, ActivityType.CALL, notes, when, author, Surface.SLASH)

    await uow.activities.add(activity(acme, "Spoke with buyer", at(-20), "U2"))
    undone = await uow.activities.add(activity(acme, "Logged by mistake", at(-3), "U3"))
    await uow.activities.add(activity(acme, "Tomorrow's call", at(1), "U3"))
    await uow.activities.add(activity(other, "Other client", at(-1), "U1"))
    await uow.session.execute(
        update(ActivityRow).where(ActivityRow.id == undone.id).values(deleted_at=at(-2))
    )

    def task(title: str, due: float, who: str = "U2", **extra: Any) -> Task:
        extra.setdefault("created_at", at(-30))
        return Task(title, who, at(due), client_id=extra.pop("client", acme), **extra)

    await uow.tasks.add(task("Send samples", 2))
    await uow.tasks.add(task("Chase PO", -1, "U3"))
    await uow.tasks.add(task("Done already", 1, status=TaskStatus.DONE, completed_at=at(-1)))
    await uow.tasks.add(task("Done later", 3, status=TaskStatus.DONE, completed_at=at(1)))
    await uow.tasks.add(task("Created later", 4, created_at=at(1)))
    await uow.tasks.add(task("Other client's", 1, client=other))
    for i in range(10):
        await uow.tasks.add(task(f"Extra {i}", 10 + i))

    await uow.quotes.upsert_many(
        [
            Quote("Q1", "ACME", "U3", D("12000.00"), created_at=at(-5), valid_until=at(25)),
            Quote("Q2", "ACME", "U3", D(500), created_at=at(1)),
            Quote("Q3", "ACME", "U1", D(800), created_at=at(-6)),
            Quote("Q4", "OTHER", "U1", D(900), created_at=at(-6)),
        ]
    )
    approved = await uow.quotes.get("Q3")
    await uow.quotes.set_status(approved.id, QuoteStatus.APPROVED, level=1, expected_version=1)


async def test_load_takes_everything_dated_by_now_and_nothing_after(
    container: Container,
) -> None:
    acme = await seed(container)
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(container.engine.sync_engine, "before_cursor_execute", count)
    try:
        async with container.uow() as uow:
            snap = await uow.snapshots.load(acme, now=NOW)
    finally:
        event.remove(container.engine.sync_engine, "before_cursor_execute", count)

    assert isinstance(snap, HealthSnapshot)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 6  # client, orders, invoices, activity, tasks, quotes: none per row
    assert (snap.client.external_id, snap.client.name) == ("ACME", "Acme & Co")
    assert (snap.client.owner_slack_user_id, snap.owner_name) == ("U1", "Dana")
    assert snap.orders == [
        OrderLine(at(-200), D("1000.10"), D("600.00")),
        OrderLine(at(-100), D("2000.00"), None),
        OrderLine(at(-10), D("3000.00"), None),
    ]
    assert snap.invoices == [
        InvoiceLine(at(-300), at(-270), D(400), D(400), at(-250)),
        InvoiceLine(at(-100), at(-70), D(2000), D(800), at(-5)),  # P3 comes after now
        InvoiceLine(at(-50), at(-20), D("1.00"), D("0.30"), at(-29)),
        InvoiceLine(at(-10), at(20), D(3000), D(0), None),
    ]
    assert all(type(line.paid) is Decimal for line in snap.invoices)
    activity = snap.last_activity
    assert activity is not None
    assert (activity.notes, activity.author_slack_user_id) == ("Spoke with buyer", "U2")
    assert activity.occurred_at == at(-20) and activity.deleted_at is None
    titles = [t.title for t in snap.open_tasks]
    assert titles[:3] == ["Chase PO", "Send samples", "Done later"]
    assert titles[3:] == [f"Extra {i}" for i in range(7)]  # ten listed
    assert snap.open_task_count == 13
    assert all(t.status is TaskStatus.OPEN and t.completed_at is None for t in snap.open_tasks)
    assert [q.external_id for q in snap.pending_quotes] == ["Q1"]
    assert snap.pending_quote_count == 1
    quote = snap.pending_quotes[0]
    assert (quote.total, quote.requested_by_slack_user_id) == (D("12000.00"), "U3")
    assert quote.status is QuoteStatus.PENDING and quote.client_external_id == "ACME"
    assert snap.names == {"U1": "Dana", "U2": "Lee", "U3": "Sam <ops>"}


async def test_an_earlier_now_sees_an_earlier_client(container: Container) -> None:
    acme = await seed(container)
    async with container.uow() as uow:
        snap = await uow.snapshots.load(acme, now=at(-150))
    assert isinstance(snap, HealthSnapshot)
    assert snap.orders == [OrderLine(at(-200), D("1000.10"), D("600.00"))]
    assert snap.invoices == [InvoiceLine(at(-300), at(-270), D(400), D(400), at(-250))]
    assert snap.last_activity is None
    # tasks created 30 days before NOW did not exist yet; no quote had been made
    assert snap.open_tasks == [] and snap.open_task_count == 0
    assert snap.pending_quotes == [] and snap.pending_quote_count == 0


async def test_unknown_client_and_a_client_without_data(container: Container) -> None:
    async with container.uow() as uow:
        await uow.clients.upsert_many([Client("BARE", "Bare Inc")])
        bare = (await uow.clients.ids_for(["BARE"]))["BARE"]
        await uow.commit()
    async with container.uow() as uow:
        assert await uow.snapshots.load(bare + 1000, now=NOW) is None
        snap = await load_health(uow, bare, now=NOW)
    assert snap.owner_name is None and snap.client.owner_slack_user_id is None
    assert (snap.orders, snap.invoices, snap.open_tasks, snap.pending_quotes) == ([], [], [], [])
    card = health_card(snap, now=NOW, tz="UTC", show_money=True)
    assert check_message(message(card)) == []


async def test_a_loaded_snapshot_renders_within_block_kit_limits(container: Container) -> None:
    acme = await seed(container)
    async with container.uow() as uow:
        snap = await load_health(uow, acme, now=NOW)
    card = health_card(snap, now=NOW, tz="Europe/Berlin", show_money=True)
    payload = message(card)
    assert check_message(payload) == []
    text = str(payload["blocks"])
    assert "Spoke with buyer" in text and "by Lee" in text
    assert "requested by Sam &lt;ops&gt;" in text
    assert "*Open tasks (13)*" in text and "… and 8 more" in text
