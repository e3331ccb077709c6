"""One contract for every repository port, run on the in-memory fakes, SQLite and PostgreSQL.

Whatever passes here for "fake" may be relied on by unit tests that use tests/fakes.py.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import exists, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.bootstrap import build
from domain.model import (
    Activity,
    ActivityType,
    ApprovalDecision,
    AuditEntry,
    Client,
    Decision,
    Invoice,
    Order,
    OutboxMessage,
    Payment,
    Quote,
    QuoteStatus,
    Role,
    Surface,
    Task,
    TaskOrigin,
    TaskStatus,
    User,
    UserPreferences,
)
from domain.ports import UnitOfWork, UnitOfWorkFactory, UpsertResult
from storage.models import Base
from tests.conftest import BACKENDS, FixedClock, _async_url, _pg_admin_sync, make_settings
from tests.fakes import FakeUnitOfWorkFactory

NOW = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)
PARIS = timezone(timedelta(hours=1))
MINUTE, HOUR, DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)
NOWHERE = 10**6  # an id no row has


@pytest.fixture(scope="module")
def pg_database(pg_template: str) -> Iterator[str]:
    """One PostgreSQL database for this module, emptied before each test.

    A copy of the template per test, as conftest's ``database_url`` makes, costs about half
    a second on PostgreSQL; emptying the tables costs a few milliseconds.
    """
    name = f"crmbot_contract_{uuid.uuid4().hex[:12]}"
    _pg_admin_sync(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"')
    yield _async_url(name)
    _pg_admin_sync(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _empty(engine: AsyncEngine) -> None:
    # DELETE, children first: TRUNCATE takes ~20 ms a table. The audit log refuses DELETE.
    async with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name != "audit_log":
                await conn.execute(table.delete())
            elif (await conn.execute(select(exists().select_from(table)))).scalar():
                await conn.execute(text("TRUNCATE audit_log"))


@pytest.fixture(params=["fake", *BACKENDS])
async def uow_factory(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[UnitOfWorkFactory]:
    """The fakes, or the SQL repositories on a migrated, empty database."""
    if request.param == "fake":
        yield FakeUnitOfWorkFactory()
        return
    if request.param == "sqlite":
        # conftest's database_url cannot be requested: it is parametrized, the fake needs none
        url = f"sqlite+aiosqlite:///{tmp_path / 'crmbot.db'}"
        shutil.copy(request.getfixturevalue("sqlite_template"), tmp_path / "crmbot.db")
    else:
        url = request.getfixturevalue("pg_database")  # skips without CRMBOT_PG_URL
    container = build(make_settings(url), clock=FixedClock(NOW))
    try:
        if request.param == "postgresql":
            await _empty(container.engine)
        yield container.uow
    finally:
        await container.close()


@asynccontextmanager
async def committed(uow_factory: UnitOfWorkFactory) -> AsyncIterator[UnitOfWork]:
    async with uow_factory() as uow:
        yield uow
        await uow.commit()


async def seed(uow_factory: UnitOfWorkFactory) -> tuple[int, int]:
    """Users U1 (a manager) and U2 (her rep), clients C1 (U2's) and C2; the clients' ids."""
    async with committed(uow_factory) as uow:
        await uow.users.upsert_many(
            [
                User("U1", "Ann Boss", role=Role.MANAGER),
                User("U2", "Bob Rep", manager_slack_user_id="U1"),
            ]
        )
        await uow.clients.upsert_many(
            [Client("C1", "Acme", owner_slack_user_id="U2"), Client("C2", "Globex")]
        )
        ids = await uow.clients.ids_for(["C1", "C2"])
    return ids["C1"], ids["C2"]


# --- the unit of work ------------------------------------------------------------------


async def test_leaving_without_commit_rolls_back(uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        await uow.users.upsert_many([User("U9", "Zed")])
        assert await uow.users.get("U9") is not None  # its own unit sees it
    with pytest.raises(RuntimeError):
        async with uow_factory() as uow:
            await uow.clients.add_placeholders(["C9"])
            raise RuntimeError("boom")
    async with uow_factory() as uow:
        assert await uow.users.get("U9") is None
        assert await uow.clients.count() == 0
        assert await uow.requests.first_time("r1", now=NOW) is True
        await uow.rollback()
        assert await uow.requests.first_time("r1", now=NOW) is True


async def test_commit_persists_what_came_before_it(uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        await uow.users.upsert_many([User("U1", "Ann")])
        await uow.commit()
        await uow.users.upsert_many([User("U2", "Bob")])
    async with uow_factory() as uow:
        assert await uow.users.existing_ids(["U1", "U2"]) == {"U1"}


async def test_entities_in_and_out_are_copies(uow_factory: UnitOfWorkFactory) -> None:
    given = Client("C1", "Acme", tags=["vip"])
    async with committed(uow_factory) as uow:
        await uow.clients.upsert_many([given])
        given.tags.append("given-later")
        handed_out = await uow.clients.get("C1")
        assert handed_out is not None
        handed_out.name = "Changed"
        handed_out.tags.append("handed-out")
    async with uow_factory() as uow:
        stored = await uow.clients.get("C1")
        assert stored is not None and (stored.name, stored.tags) == ("Acme", ["vip"])


# --- users -----------------------------------------------------------------------------


async def test_users_link_managers_in_one_batch_and_count_changes(
    uow_factory: UnitOfWorkFactory,
) -> None:
    boss = User("U1", "Ann Boss", "ann@example.com", Role.MANAGER, timezone="Europe/Paris")
    rep = User("U2", "Bob Rep", manager_slack_user_id="U1", teams_user_id="T-2")
    stray = User("U3", "Cy Stray", manager_slack_user_id="U404")
    async with committed(uow_factory) as uow:
        # the manager comes last: linking waits until every row of the batch exists
        assert await uow.users.upsert_many([rep, stray, boss]) == UpsertResult(created=3)
    async with uow_factory() as uow:
        listed = await uow.users.list()  # by name
        assert [replace(u, id=None) for u in listed] == [
            boss,
            rep,
            replace(stray, manager_slack_user_id=None),  # no such manager
        ]
        assert all(u.id is not None for u in listed)
        assert await uow.users.get("U2") == listed[1]
        assert await uow.users.get("U404") is None
        assert await uow.users.existing_ids(["U1", "U3", "U404"]) == {"U1", "U3"}

        assert await uow.users.upsert_many([stray, rep, boss]) == UpsertResult(unchanged=3)
        newcomer = User("U4", "Dee New", role=Role.FINANCE)
        renamed = [replace(boss, name="Ann Early"), replace(boss, name="Ann Later")]
        moved = replace(stray, manager_slack_user_id="U4")  # to a manager new in this batch
        result = await uow.users.upsert_many([moved, newcomer, rep, *renamed])
        assert result == UpsertResult(created=1, updated=2, unchanged=1)
        assert await uow.users.get("U1") == replace(listed[0], name="Ann Later")  # later wins
        assert await uow.users.get("U3") == replace(listed[2], manager_slack_user_id="U4")


async def test_remember_profile_adds_unknown_users_and_keeps_slack_time_zone(
    uow_factory: UnitOfWorkFactory,
) -> None:
    imported = User("U1", "Ann", "ann@example.com", timezone="Europe/Paris")
    async with committed(uow_factory) as uow:
        await uow.users.upsert_many([imported])
        known = await uow.users.remember_profile(
            "U1", name="Ann", email="ann@example.com", tz="America/New_York", now=NOW
        )
        fresh = await uow.users.remember_profile(
            "U7", name="Newcomer", email=None, tz="Asia/Tokyo", now=NOW
        )
    assert (known.timezone, known.profile_checked_at) == ("America/New_York", NOW)
    assert fresh.id is not None and fresh.id != known.id
    assert replace(fresh, id=None) == User(
        "U7", "Newcomer", role=Role.REP, timezone="Asia/Tokyo", profile_checked_at=NOW
    )
    async with uow_factory() as uow:
        # an import neither compares nor overwrites what Slack told us
        assert await uow.users.upsert_many([imported]) == UpsertResult(unchanged=1)
        assert await uow.users.get("U1") == known
        assert await uow.users.get("U7") == fresh


# --- clients and channel links ---------------------------------------------------------


async def test_clients_round_trip_and_count_changes(uow_factory: UnitOfWorkFactory) -> None:
    await seed(uow_factory)
    acme = Client(
        "C10",
        "Acme Tools",
        owner_slack_user_id="U2",
        email="buy@acme.example",
        phone="+1 555 0100",
        credit_limit=Decimal("1234.5"),
        payment_terms_days=30,
        tags=["vip", "eu"],
        acquisition_cost=Decimal("99.99"),
        created_at=datetime(2024, 1, 2, 3, 4, 5, 678901, tzinfo=PARIS),
    )
    orphan = Client("C11", "Orphan Ltd", owner_slack_user_id="U404")
    async with committed(uow_factory) as uow:
        assert await uow.clients.upsert_many([acme, orphan]) == UpsertResult(created=2)
    async with uow_factory() as uow:
        got = await uow.clients.get("C10")
        assert got is not None and got.id is not None and got == replace(acme, id=got.id)
        assert str(got.credit_limit) == "1234.50" and str(got.acquisition_cost) == "99.99"
        assert got.created_at is not None and got.created_at.tzinfo == UTC
        assert await uow.clients.get_by_id(got.id) == got
        other = await uow.clients.get("C11")
        assert other is not None and other.owner_slack_user_id is None
        assert other.created_at is not None and other.created_at.tzinfo == UTC
        assert await uow.clients.get("C404") is None
        assert await uow.clients.get_by_id(NOWHERE) is None
        assert await uow.clients.existing_ids(["C10", "C404", "C1"]) == {"C1", "C10"}
        assert await uow.clients.ids_for(["C10", "C11", "C404"]) == {"C10": got.id, "C11": other.id}
        assert await uow.clients.count() == 4

        # created_at is written once: a later file's date is neither compared nor kept
        assert await uow.clients.upsert_many(
            [replace(acme, created_at=NOW), orphan]
        ) == UpsertResult(unchanged=2)
        twice = [replace(acme, tags=["first"]), replace(acme, tags=["second"])]
        assert await uow.clients.upsert_many(twice) == UpsertResult(updated=1)
        assert await uow.clients.get("C10") == replace(got, tags=["second"])


async def test_placeholders_are_added_once_and_cleared_by_a_real_import(
    uow_factory: UnitOfWorkFactory,
) -> None:
    await seed(uow_factory)
    async with committed(uow_factory) as uow:
        wanted = (x for x in ["C1", "P2", "P1", "P1"])  # any iterable, even a generator
        assert await uow.clients.add_placeholders(wanted) == 2
        assert await uow.clients.add_placeholders(["P1", "P2"]) == 0
        placeholder = await uow.clients.get("P1")
        assert placeholder is not None
        assert (placeholder.name, placeholder.placeholder) == ("P1", True)
        assert placeholder.created_at is not None
        assert await uow.clients.count() == 4
    async with committed(uow_factory) as uow:
        real = Client("P1", "Initech", tags=["new"])
        claims_to_be_one = Client("P2", "Umbrella", placeholder=True)  # an upsert is never one
        assert await uow.clients.upsert_many([real, claims_to_be_one]) == UpsertResult(updated=2)
        got = await uow.clients.get("P1")
        assert got is not None
        assert got == replace(real, created_at=placeholder.created_at, id=placeholder.id)
        other = await uow.clients.get("P2")
        assert other is not None and other.placeholder is False


async def test_channel_links(uow_factory: UnitOfWorkFactory) -> None:
    c1, c2 = await seed(uow_factory)
    async with committed(uow_factory) as uow:
        await uow.links.link("C100", c1, by="U1", now=NOW)
        await uow.links.link("C200", c1, by="U1", now=NOW)
        await uow.links.link("C100", c2, by="U2", now=NOW + HOUR)  # relinking replaces
    async with uow_factory() as uow:
        assert await uow.links.client_for("C100") == await uow.clients.get("C2")
        assert await uow.links.client_for("C200") == await uow.clients.get("C1")
        assert await uow.links.client_for("C404") is None
        assert await uow.links.unlink("C100") is True
        assert await uow.links.unlink("C100") is False
        assert await uow.links.client_for("C100") is None
        assert await uow.links.client_for("C200") is not None


# --- sales -----------------------------------------------------------------------------


async def test_orders_upsert_and_list_by_date(uow_factory: UnitOfWorkFactory) -> None:
    await seed(uow_factory)
    march = Order(
        "O1",
        "C1",
        datetime(2026, 3, 1, 23, 30, tzinfo=PARIS),
        Decimal("100.10"),
        cost=Decimal("60"),
        category="tools",
        items=3,
    )
    january = Order("O2", "C1", datetime(2026, 1, 15, tzinfo=UTC), Decimal("5"))
    elsewhere = Order("O3", "C2", datetime(2026, 2, 1, tzinfo=UTC), Decimal("7.25"))
    async with committed(uow_factory) as uow:
        assert await uow.orders.upsert_many([march, january, elsewhere]) == UpsertResult(created=3)
    async with uow_factory() as uow:
        listed = await uow.orders.for_client("C1")
        assert [replace(o, id=None) for o in listed] == [january, march]
        assert all(o.id is not None for o in listed)
        assert listed[1].ordered_at.tzinfo == UTC and str(listed[1].amount) == "100.10"
        assert await uow.orders.for_client("C404") == []
        assert await uow.orders.existing_ids(["O1", "O3", "O9"]) == {"O1", "O3"}
        changed = replace(january, amount=Decimal("6"))
        result = await uow.orders.upsert_many([march, changed, elsewhere])
        assert result == UpsertResult(updated=1, unchanged=2)
        assert (await uow.orders.for_client("C1"))[0] == replace(changed, id=listed[0].id)


async def test_invoices_and_payments_upsert(uow_factory: UnitOfWorkFactory) -> None:
    await seed(uow_factory)
    issued = datetime(2026, 10, 1, tzinfo=UTC)
    billed = Invoice("I1", "C1", issued, issued + 30 * DAY, Decimal("250"), order_external_id="O1")
    early = Invoice("I2", "C1", issued, issued + 14 * DAY, Decimal("80.5"), "O9")  # order unknown
    paid = [
        Payment("PAY1", "I1", issued + DAY, Decimal("100")),
        Payment("PAY2", "I1", issued + 2 * DAY, Decimal("150")),
    ]
    async with committed(uow_factory) as uow:
        await uow.orders.upsert_many([Order("O1", "C1", issued, Decimal("250"))])
        assert await uow.invoices.upsert_many([billed, early]) == UpsertResult(created=2)
        assert await uow.payments.upsert_many(paid) == UpsertResult(created=2)
    async with uow_factory() as uow:
        assert await uow.invoices.existing_ids(["I1", "I2", "I9"]) == {"I1", "I2"}
        assert await uow.invoices.upsert_many([billed, early]) == UpsertResult(unchanged=2)
        assert await uow.payments.upsert_many(paid) == UpsertResult(unchanged=2)
        # once its order exists, the invoice that named it links to it: a change
        await uow.orders.upsert_many([Order("O9", "C1", issued, Decimal("80.5"))])
        assert await uow.invoices.upsert_many([billed, early]) == UpsertResult(
            updated=1, unchanged=1
        )
        moved = replace(paid[1], paid_at=issued + 3 * DAY)
        assert await uow.payments.upsert_many([paid[0], moved]) == UpsertResult(
            updated=1, unchanged=1
        )


# --- quotes ----------------------------------------------------------------------------


async def test_quotes_start_pending_and_move_by_compare_and_set(
    uow_factory: UnitOfWorkFactory,
) -> None:
    await seed(uow_factory)
    quote = Quote(
        "Q1",
        "C1",
        "U2",
        total=Decimal("12000.00"),
        discount_pct=Decimal("12.5"),
        currency="EUR",
        valid_until=NOW + 30 * DAY,
        created_at=NOW - DAY,
        description="Forty chairs",
    )
    async with committed(uow_factory) as uow:
        given_as_approved = replace(quote, external_id="Q2", status=QuoteStatus.APPROVED, version=7)
        assert await uow.quotes.upsert_many([quote, given_as_approved]) == UpsertResult(created=2)
        got = await uow.quotes.get("Q1")
        assert got is not None and got.id is not None and got == replace(quote, id=got.id)
        assert str(got.discount_pct) == "12.50"
        second = await uow.quotes.get("Q2")
        assert second is not None and (second.status, second.version) == (QuoteStatus.PENDING, 1)
        assert await uow.quotes.get("Q404") is None
        approve = {"level": 1, "expected_version": 1}
        assert await uow.quotes.set_status(got.id, QuoteStatus.APPROVED, **approve) is True
    async with uow_factory() as uow:
        stale = await uow.quotes.set_status(
            got.id, QuoteStatus.REJECTED, level=2, expected_version=1
        )
        assert stale is False
        assert await uow.quotes.set_status(NOWHERE, QuoteStatus.REJECTED, **approve) is False
        after = await uow.quotes.get("Q1")
        assert after == replace(got, status=QuoteStatus.APPROVED, version=2)
        # an import of the same quote leaves its approval state alone
        assert await uow.quotes.upsert_many([quote]) == UpsertResult(unchanged=1)
        assert await uow.quotes.upsert_many([replace(quote, total=Decimal("11000"))]) == (
            UpsertResult(updated=1)
        )
        after_import = await uow.quotes.get("Q1")
        assert after_import is not None and after_import.status == QuoteStatus.APPROVED
        assert after_import.total == Decimal("11000")


async def test_quote_decisions_are_listed_by_time(uow_factory: UnitOfWorkFactory) -> None:
    await seed(uow_factory)
    async with committed(uow_factory) as uow:
        await uow.quotes.upsert_many([Quote("Q1", "C1", "U2", Decimal(60000))])
        quote = await uow.quotes.get("Q1")
        assert quote is not None and quote.id is not None
        finance = ApprovalDecision(
            quote.id, 2, "finance", "U1", Decision.REJECTED, NOW, 2, comment="Over credit"
        )
        manager = ApprovalDecision(quote.id, 1, "manager", "U1", Decision.APPROVED, NOW - HOUR, 1)
        await uow.quotes.add_decision(finance)
        await uow.quotes.add_decision(manager)
    async with uow_factory() as uow:
        decided = await uow.quotes.decisions(quote.id)
        assert [replace(d, id=None) for d in decided] == [manager, finance]
        assert all(d.id is not None for d in decided)
        assert await uow.quotes.decisions(NOWHERE) == []


# --- work ------------------------------------------------------------------------------


async def test_activities_add_get_undo(uow_factory: UnitOfWorkFactory) -> None:
    c1, _ = await seed(uow_factory)
    call = Activity(
        c1,
        ActivityType.CALL,
        "Called about the renewal",
        NOW - HOUR,
        "U2",
        Surface.SLASH,
        permalink="https://example.slack.com/archives/C1/p1",
        source_ref="C1:1700000000.000100",
    )
    ghost = Activity(c1, ActivityType.NOTE, "By nobody", NOW, "U404", Surface.API, created_at=NOW)
    batch = [
        Activity(c1, ActivityType.EMAIL, "Sent the offer", NOW, "U1", Surface.IMPORT),
        Activity(c1, ActivityType.MEETING, "Site visit", NOW, None, Surface.IMPORT),
    ]
    async with committed(uow_factory) as uow:
        added = await uow.activities.add(call)
        assert added.id is not None
        stored_ghost = await uow.activities.add(ghost)
        assert await uow.activities.add_many(batch) == 2
    async with uow_factory() as uow:
        assert await uow.activities.get(added.id) == replace(call, created_at=call.occurred_at)
        assert stored_ghost.id is not None
        got_ghost = await uow.activities.get(stored_ghost.id)
        assert got_ghost == replace(ghost, author_slack_user_id=None)
        # ids are handed out in order, so the batch follows
        assert await uow.activities.get(stored_ghost.id + 2) == replace(
            batch[1], created_at=NOW, id=stored_ghost.id + 2
        )
        assert await uow.activities.get(NOWHERE) is None
        assert await uow.activities.undo(added.id, now=NOW) is True
        assert await uow.activities.undo(added.id, now=NOW + HOUR) is False
        assert await uow.activities.undo(NOWHERE, now=NOW) is False
        undone = await uow.activities.get(added.id)
        assert undone is not None and undone.deleted_at == NOW


async def test_tasks_add_get_open_for_complete(uow_factory: UnitOfWorkFactory) -> None:
    c1, _ = await seed(uow_factory)
    later = Task(
        "Send the contract",
        "U2",
        NOW + 2 * DAY,
        client_id=c1,
        created_by_slack_user_id="U1",
        recurrence="weekly",
        origin=TaskOrigin.AUTO_RULE,
        rule="no-contact-30d",
    )
    sooner = Task("Call back", "U2", NOW + HOUR, created_by_slack_user_id="U404")
    done = Task("Old", "U2", NOW - DAY, status=TaskStatus.DONE, completed_at=NOW - DAY)
    not_mine = Task("Not mine", "U1", NOW)
    async with committed(uow_factory) as uow:
        for task in (later, sooner, done, not_mine):
            assert (await uow.tasks.add(task)).id is not None
        with pytest.raises(LookupError):
            await uow.tasks.add(Task("Nobody's", "U404", NOW))
        batch = [Task("Batch late", "U2", NOW + 3 * DAY), Task("Batch early", "U2", NOW - HOUR)]
        assert await uow.tasks.add_many(batch) == 2
    assert later.id is not None and sooner.id is not None and done.id is not None
    async with uow_factory() as uow:
        assert await uow.tasks.get(later.id) == replace(later, created_at=later.due_at)
        got_sooner = await uow.tasks.get(sooner.id)
        assert got_sooner is not None and got_sooner.created_by_slack_user_id is None
        assert await uow.tasks.get(NOWHERE) is None
        open_ = await uow.tasks.open_for("U2")
        titles = ["Batch early", "Call back", "Send the contract", "Batch late"]
        assert [t.title for t in open_] == titles
        assert await uow.tasks.complete(sooner.id, now=NOW) is True
        assert await uow.tasks.complete(sooner.id, now=NOW) is False
        assert await uow.tasks.complete(done.id, now=NOW) is False
        assert await uow.tasks.complete(NOWHERE, now=NOW) is False
        completed = await uow.tasks.get(sooner.id)
        assert completed is not None
        assert (completed.status, completed.completed_at) == (TaskStatus.DONE, NOW)
        assert [t.title for t in await uow.tasks.open_for("U2")] == titles[:1] + titles[2:]
        assert await uow.tasks.open_for("U404") == []


# --- audit, outbox, requests, pending actions ------------------------------------------


async def test_audit_log_lists_by_time_client_and_since(uow_factory: UnitOfWorkFactory) -> None:
    entries = [
        AuditEntry(
            "U1", Surface.CLI, "import.ran", "import", "orders.csv", {"rows": [1]}, NOW - 3 * HOUR
        ),
        AuditEntry(
            "U1", Surface.SLASH, "client.updated", "client", "C1", {"f": "x"}, NOW - 2 * HOUR
        ),
        AuditEntry(
            "U2", Surface.MODAL, "note", "activity", "17", {"client_external_id": "C1"}, NOW - HOUR
        ),
        AuditEntry("U2", Surface.API, "note", "activity", "18", {"client_external_id": "C2"}, NOW),
    ]
    async with committed(uow_factory) as uow:
        for entry in reversed(entries):
            await uow.audit.add(entry)
    async with uow_factory() as uow:
        everything = await uow.audit.list()
        assert [replace(e, id=None) for e in everything] == entries  # by time
        assert all(e.id is not None for e in everything)

        def ids(found: Sequence[AuditEntry]) -> list[str]:
            return [e.entity_id for e in found]

        assert ids(await uow.audit.list(client_external_id="C1")) == ["C1", "17"]
        assert ids(await uow.audit.list(since=NOW - HOUR)) == ["17", "18"]  # inclusive
        assert ids(await uow.audit.list(client_external_id="C1", since=NOW - HOUR)) == ["17"]


async def test_outbox_enqueue_is_idempotent_by_key(uow_factory: UnitOfWorkFactory) -> None:
    message = OutboxMessage("digest:U1:2026-11-25", "U1", {"text": "hi", "blocks": [{"n": 1}]})
    async with committed(uow_factory) as uow:
        assert await uow.outbox.enqueue(message, now=NOW) is True
    async with committed(uow_factory) as uow:
        assert await uow.outbox.enqueue(replace(message, payload={"x": 1}), now=NOW) is False
        claimed = await uow.outbox.claim_due(now=NOW, limit=10, lease_seconds=60)
    assert len(claimed) == 1 and claimed[0].id is not None
    assert replace(claimed[0], id=None) == replace(message, attempts=1, next_attempt_at=NOW)


async def test_outbox_claims_due_rows_in_order_and_honours_leases(
    uow_factory: UnitOfWorkFactory,
) -> None:
    def due(key: str, at: datetime | None) -> OutboxMessage:
        return OutboxMessage(key, "C1", {"text": key}, next_attempt_at=at)

    async with committed(uow_factory) as uow:
        for message in (due("late", NOW + 10 * MINUTE), due("now", None), due("early", NOW - HOUR)):
            assert await uow.outbox.enqueue(message, now=NOW) is True

    def keys(found: Sequence[OutboxMessage]) -> list[str]:
        return [m.key for m in found]

    async with committed(uow_factory) as uow:
        assert keys(await uow.outbox.claim_due(now=NOW, limit=1, lease_seconds=60)) == ["early"]
        assert keys(await uow.outbox.claim_due(now=NOW, limit=10, lease_seconds=60)) == ["now"]
    lease_end = NOW + timedelta(seconds=60)
    async with committed(uow_factory) as uow:
        # leased rows stay with their worker until the lease has run out
        assert await uow.outbox.claim_due(now=lease_end, limit=10, lease_seconds=60) == []
        again = await uow.outbox.claim_due(
            now=lease_end + timedelta(seconds=1), limit=10, lease_seconds=60
        )
        assert [(m.key, m.attempts) for m in again] == [("early", 2), ("now", 2)]
        early, now = again
        assert early.id is not None and now.id is not None
        await uow.outbox.mark_sent(early.id, ts="1700000000.000100", now=NOW)
        await uow.outbox.mark_failed(now.id, error="channel_not_found", retry_at=None, now=NOW)
    async with committed(uow_factory) as uow:
        late = await uow.outbox.claim_due(now=NOW + DAY, limit=10, lease_seconds=60)
        assert [(m.key, m.attempts, m.last_error) for m in late] == [("late", 1, None)]
        assert late[0].id is not None
        error = "ratelimited " + "x" * 3000
        await uow.outbox.mark_failed(late[0].id, error=error, retry_at=NOW + 2 * DAY, now=NOW)
        assert await uow.outbox.claim_due(now=NOW + DAY, limit=10, lease_seconds=60) == []
    async with uow_factory() as uow:
        retried = await uow.outbox.claim_due(now=NOW + 2 * DAY, limit=10, lease_seconds=60)
        assert [(m.key, m.attempts, m.status) for m in retried] == [("late", 2, "pending")]
        assert retried[0].last_error == error[:2000]
        assert retried[0].next_attempt_at == NOW + 2 * DAY


async def test_requests_are_first_time_once(uow_factory: UnitOfWorkFactory) -> None:
    async with committed(uow_factory) as uow:
        assert await uow.requests.first_time("evt-1", now=NOW) is True
        assert await uow.requests.first_time("evt-1", now=NOW) is False
        assert await uow.requests.first_time("evt-2", now=NOW) is True
    async with uow_factory() as uow:
        assert await uow.requests.first_time("evt-1", now=NOW + HOUR) is False
        assert await uow.requests.first_time("evt-3", now=NOW) is True
    async with uow_factory() as uow:
        assert await uow.requests.first_time("evt-3", now=NOW) is True  # not committed


async def test_pending_actions_run_once_for_their_user(uow_factory: UnitOfWorkFactory) -> None:
    payload = {"activity_id": 7, "note": "undo"}
    async with committed(uow_factory) as uow:
        token = await uow.pending.put(
            user="U1", kind="undo_activity", payload=payload, now=NOW, ttl=10 * MINUTE
        )
        expected = {"kind": "undo_activity", **payload}
        assert await uow.pending.peek(token, user="U1", now=NOW) == expected
        assert await uow.pending.peek(token, user="U1", now=NOW) == expected  # peek keeps it
        assert await uow.pending.peek(token, user="U2", now=NOW) is None
        assert await uow.pending.peek("no-such-token", user="U1", now=NOW) is None
        expiry = NOW + 10 * MINUTE
        assert await uow.pending.peek(token, user="U1", now=expiry) is None
    async with committed(uow_factory) as uow:
        assert await uow.pending.use(token, user="U2", now=NOW) is None
        assert await uow.pending.use(token, user="U1", now=NOW) == expected
    async with uow_factory() as uow:
        assert await uow.pending.use(token, user="U1", now=NOW) is None
        assert await uow.pending.peek(token, user="U1", now=NOW) is None


async def test_requests_purge_forgets_only_keys_received_before(
    uow_factory: UnitOfWorkFactory,
) -> None:
    async with committed(uow_factory) as uow:
        assert await uow.requests.first_time("old", now=NOW - DAY)
        assert await uow.requests.first_time("edge", now=NOW)
        assert await uow.requests.first_time("new", now=NOW + MINUTE)
    async with uow_factory() as uow:
        assert await uow.requests.purge(before=NOW) == 1  # not committed
    async with committed(uow_factory) as uow:
        assert await uow.requests.purge(before=NOW.astimezone(PARIS)) == 1
        assert await uow.requests.purge(before=NOW) == 0
    async with uow_factory() as uow:
        assert await uow.requests.first_time("old", now=NOW) is True  # forgotten
        assert await uow.requests.first_time("edge", now=NOW) is False
        assert await uow.requests.first_time("new", now=NOW) is False


async def test_pending_actions_purge_only_long_expired_ones(
    uow_factory: UnitOfWorkFactory,
) -> None:
    async with committed(uow_factory) as uow:
        old = await uow.pending.put(user="U1", kind="k", payload={}, now=NOW - DAY, ttl=MINUTE)
        used = await uow.pending.put(user="U1", kind="k", payload={}, now=NOW - DAY, ttl=HOUR)
        assert await uow.pending.use(used, user="U1", now=NOW - DAY) == {"kind": "k"}
        live = await uow.pending.put(user="U1", kind="k", payload={"n": 1}, now=NOW, ttl=HOUR)
    async with committed(uow_factory) as uow:
        assert await uow.pending.purge_expired(before=NOW) == 2
        assert await uow.pending.purge_expired(before=NOW) == 0
    async with uow_factory() as uow:
        assert await uow.pending.peek(old, user="U1", now=NOW - DAY) is None
        assert await uow.pending.peek(live, user="U1", now=NOW) == {"kind": "k", "n": 1}
        assert await uow.pending.purge_expired(before=NOW + 2 * HOUR) == 1


async def test_preferences_default_until_saved_and_round_trip(
    uow_factory: UnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        await uow.users.upsert_many([User("U1", "Ana")])
        assert await uow.preferences.get("U1") == UserPreferences("U1")
        with pytest.raises(KeyError):
            await uow.preferences.put(UserPreferences("UNKNOWN"), now=NOW)
        saved = UserPreferences(
            "U1",
            digest_hour=7,
            digest_days=["mon", "wed"],
            quiet_start="19:00",
            quiet_end="07:30",
            alerts={"risk": False},
        )
        await uow.preferences.put(saved, now=NOW)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.preferences.get("U1") == saved
        await uow.preferences.put(replace(saved, digest_hour=9), now=NOW + HOUR)
        await uow.commit()
    async with uow_factory() as uow:
        assert (await uow.preferences.get("U1")).digest_hour == 9
