"""The digest, risk-alert and auto-task stores: the fakes, SQLite and PostgreSQL held to the
same assertions (the fixtures are test_repository_contract.py's)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from domain.model import (
    Activity,
    ActivityType,
    Invoice,
    Payment,
    Surface,
    Task,
    TaskOrigin,
    UserPreferences,
)
from domain.ports import UnitOfWorkFactory
from tests.integration import test_repository_contract as contract
from tests.integration.alerts_fixtures import record
from tests.integration.test_repository_contract import NOW, committed, seed

# the contract's own fixtures: the fakes, SQLite and PostgreSQL
uow_factory = contract.uow_factory
pg_database = contract.pg_database

DAY = timedelta(days=1)
TODAY: date = NOW.date()


async def test_digest_claims_once_per_user_and_local_day(uow_factory: UnitOfWorkFactory) -> None:
    await seed(uow_factory)
    async with committed(uow_factory) as uow:
        claims = [("U2", TODAY), ("U404", TODAY)]
        assert await uow.digests.claim_many(claims, now=NOW) == {"U2"}
        assert await uow.digests.claim_many(claims, now=NOW) == set()
        assert await uow.digests.claim_many([], now=NOW) == set()
    async with committed(uow_factory) as uow:
        again = [("U1", TODAY), ("U2", TODAY)]  # another unit of work
        assert await uow.digests.claim_many(again, now=NOW) == {"U1"}
        assert await uow.digests.claim_many([("U2", TODAY + DAY)], now=NOW) == {"U2"}
        assert await uow.digests.claimed_on([TODAY]) == {("U1", TODAY), ("U2", TODAY)}
        assert await uow.digests.last_sent_many(["U1", "U2"]) == {}
        await uow.digests.record_many([("U2", TODAY, 3), ("U1", TODAY, 0)], now=NOW)
    async with uow_factory() as uow:
        assert await uow.digests.last_sent_many(["U1", "U2"]) == {"U2": NOW}


async def test_recipients_carry_saved_preferences_only(uow_factory: UnitOfWorkFactory) -> None:
    await seed(uow_factory)
    async with committed(uow_factory) as uow:
        await uow.preferences.put(UserPreferences("U2", digest_hour=10), now=NOW)
    async with uow_factory() as uow:
        found = {r.slack_user_id: r for r in await uow.digests.recipients()}
    assert found["U1"].preferences is None
    prefs = found["U2"].preferences
    assert prefs is not None and prefs.digest_hour == 10
    assert found["U2"].manager_slack_user_id == "U1"


async def test_activities_by_a_user_in_a_window(uow_factory: UnitOfWorkFactory) -> None:
    c1, _ = await seed(uow_factory)
    async with committed(uow_factory) as uow:
        for hours, notes in ((30, "too early"), (20, "second"), (22, "first"), (1, "too late")):
            when = NOW - timedelta(hours=hours)
            await uow.activities.add(
                Activity(c1, ActivityType.CALL, notes, when, "U2", Surface.SLASH)
            )
        gone = await uow.activities.add(
            Activity(
                c1, ActivityType.NOTE, "undone", NOW - 21 * timedelta(hours=1), "U2", Surface.SLASH
            )
        )
        assert gone.id is not None
        await uow.activities.undo(gone.id, now=NOW)
    async with uow_factory() as uow:
        found = await uow.digests.activities_by_many(
            ["U2", "U1"], since=NOW - 24 * timedelta(hours=1), until=NOW - timedelta(hours=2)
        )
    assert list(found) == ["U2"]
    assert [(a.notes, c.external_id) for a, c in found["U2"]] == [
        ("first", "C1"),
        ("second", "C1"),
    ]


async def test_open_tasks_clients_and_reorders(uow_factory: UnitOfWorkFactory) -> None:
    c1, c2 = await seed(uow_factory)
    async with committed(uow_factory) as uow:
        for n, due in enumerate((NOW + DAY, NOW - DAY)):
            await uow.tasks.add(Task(f"t{n}", "U2", due, client_id=c1, created_at=NOW))
        done = await uow.tasks.add(Task("done", "U2", NOW, created_at=NOW))
        assert done.id is not None and await uow.tasks.complete(done.id, now=NOW)
        await uow.scores.save(
            [record(c1, "C1", TODAY - DAY, risk=10, days_since_last_order=3.0),
             record(c2, "C2", TODAY - DAY, risk=10, days_since_last_order=3.0)],
            as_of=TODAY - DAY, computed_at=NOW - DAY,
        )  # fmt: skip
        await uow.scores.save([record(c1, "C1", TODAY, risk=10, days_since_last_order=4.0)],
                              as_of=TODAY, computed_at=NOW)  # fmt: skip
    async with uow_factory() as uow:
        tasks = await uow.digests.open_tasks_of(["U1", "U2"])
        assert list(tasks) == ["U2"] and [t.title for t in tasks["U2"]] == ["t1", "t0"]
        lines = await uow.digests.clients([c1, c2])
        assert (lines[c1].name, lines[c1].owner_slack_user_id) == ("Acme", "U2")
        assert lines[c2].owner_slack_user_id is None
        reorders = await uow.digests.reorders_many(["U2", "U1"], on_or_before=TODAY)
        assert list(reorders) == ["U2"]
        assert [(r.client.external_id, r.kept.days_since_last_order) for r in reorders["U2"]] == [
            ("C1", 4.0)
        ]
        earlier = await uow.digests.reorders_many(["U2"], on_or_before=TODAY - DAY)
        assert [r.kept.days_since_last_order for r in earlier["U2"]] == [3.0]


async def test_risk_state_alerts_quota_and_marks(uow_factory: UnitOfWorkFactory) -> None:
    c1, c2 = await seed(uow_factory)
    async with committed(uow_factory) as uow:
        store = uow.risk_alerts
        assert await store.armed([c1, c2]) == {}
        assert await store.disarm(c1, score=70, now=NOW)
        assert not await store.disarm(c1, score=71, now=NOW)
        assert await store.armed([c1, c2]) == {c1: False}
        assert await store.rearm([c1, c2], now=NOW) == 1
        assert await store.disarm(c1, score=75, now=NOW)
        first = await store.add(c1, owner="U2", score=75, factors=[{"code": "x"}], status="sent",
                                now=NOW)  # fmt: skip
        second = await store.add(c2, owner=None, score=65, factors=[], status="no_owner", now=NOW)
        assert [q for q in [await store.take_quota("U2", TODAY, cap=2) for _ in range(3)]] == [
            True, True, False,
        ]  # fmt: skip
        assert await store.take_quota("U2", TODAY + DAY, cap=2)
        assert not await store.take_quota("U2", TODAY, cap=0)
        assert await store.marked("risk-alerts") is None
        assert await store.mark("risk-alerts", value="a", now=NOW)
        assert not await store.mark("risk-alerts", value="a", now=NOW)
        assert await store.mark("risk-alerts", value="b", now=NOW)
    async with committed(uow_factory) as uow:
        store = uow.risk_alerts
        alert = await store.get(first)
        assert alert is not None and (alert.client.external_id, alert.risk_score) == ("C1", 75)
        assert alert.factors == [{"code": "x"}] and alert.status == "sent"
        owned = await store.for_owners(["U2", "U1"], since=NOW - DAY)
        assert {u: [a.id for a in alerts] for u, alerts in owned.items()} == {"U2": [first]}
        assert await store.for_owners(["U2"], since=NOW) == {}
        assert (await store.get(second)) is not None
        assert await store.marked("risk-alerts") == "b"
        assert await store.snooze(first, until=NOW + DAY, now=NOW)
        assert not await store.snooze(first, until=NOW + 2 * DAY, now=NOW)
        assert await store.snoozes_due(now=NOW) == []
        assert [a.id for a in await store.snoozes_due(now=NOW + DAY)] == [first]
        assert not await store.wake(first, now=NOW)
        assert await store.wake(first, now=NOW + DAY)
        assert not await store.wake(first, now=NOW + DAY)
        assert not await store.handle(first, now=NOW)  # woken: dealt with
        assert await store.handle(second, now=NOW)


async def test_auto_task_facts_and_one_open_task_per_rule(uow_factory: UnitOfWorkFactory) -> None:
    c1, c2 = await seed(uow_factory)
    async with committed(uow_factory) as uow:
        await uow.invoices.upsert_many([
            Invoice("I1", "C1", NOW - 70 * DAY, NOW - 40 * DAY, Decimal(100)),
            Invoice("I2", "C1", NOW - 60 * DAY, NOW - 50 * DAY, Decimal(100)),
            Invoice("I3", "C2", NOW - 20 * DAY, NOW + DAY, Decimal(100)),
        ])  # fmt: skip
        await uow.payments.upsert_many([Payment("P2", "I2", NOW - DAY, Decimal(100))])
        await uow.activities.add(Activity(c1, ActivityType.CALL, "hi", NOW - 5 * DAY, "U2",
                                          Surface.SLASH))  # fmt: skip
        await uow.risk_alerts.add(c1, owner="U2", score=70, factors=[], status="sent", now=NOW)
        first = Task("Check in", "U2", NOW, client_id=c1, created_at=NOW,
                     origin=TaskOrigin.AUTO_RULE, rule="check_in")  # fmt: skip
        assert await uow.auto_tasks.add(first) is not None
        again = Task("Check in", "U2", NOW, client_id=c1, created_at=NOW + DAY,
                     origin=TaskOrigin.AUTO_RULE, rule="check_in")  # fmt: skip
        assert await uow.auto_tasks.add(again) is None
        assert await uow.auto_tasks.add(Task("x", "U2", NOW, client_id=c2, rule="check_in",
                                             created_at=NOW)) is not None  # fmt: skip
    async with uow_factory() as uow:
        facts = {
            f.client.external_id: f for f in await uow.auto_tasks.facts(now=NOW, rules=["check_in"])
        }
    one, two = facts["C1"], facts["C2"]
    assert one.oldest_overdue_days is not None and round(one.oldest_overdue_days) == 40
    assert one.last_contact_at == NOW - 5 * DAY and two.last_contact_at is None
    assert one.risk_turned_high_at == NOW and two.risk_turned_high_at is None
    assert one.last_task_at == {"check_in": NOW} and two.oldest_overdue_days is None
    assert one.client.owner_slack_user_id == "U2" and two.client.owner_slack_user_id is None
