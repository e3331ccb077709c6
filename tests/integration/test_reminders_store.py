"""The ReminderStore contract on the fakes, SQLite and PostgreSQL (one set of assertions)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from domain.model import Task, UserPreferences
from tests.integration import test_repository_contract as contract
from tests.integration.test_repository_contract import DAY, HOUR, NOW, committed, seed

# the contract's own fixtures: the fakes, SQLite and PostgreSQL
uow_factory = contract.uow_factory
pg_database = contract.pg_database

LEASE = timedelta(minutes=5)
SECOND = timedelta(seconds=1)


async def add_tasks(uows: Any, *dues: timedelta, recurrence: str | None = None) -> list[int]:
    c1, _ = await seed(uows)
    async with committed(uows) as uow:
        await uow.users.remember_profile("U2", name="Bob Rep", email=None, tz="Asia/Tokyo", now=NOW)
        added = [
            await uow.tasks.add(
                Task(f"T{n}", "U2", NOW + due, client_id=c1, created_by_slack_user_id="U1")
            )
            for n, due in enumerate(dues)
        ]
    return [t.id for t in added]


async def test_claims_what_is_due_earliest_first_with_its_details(uow_factory: Any) -> None:
    late, early, later = await add_tasks(uow_factory, HOUR, -HOUR, 2 * HOUR)
    async with uow_factory() as uow:
        assert await uow.reminders.claim_due(now=NOW - 2 * HOUR, limit=10, lease=LEASE) == []
        claimed = await uow.reminders.claim_due(now=NOW + HOUR, limit=10, lease=LEASE)
        assert [(d.task.id, d.remind_at) for d in claimed] == [
            (early, NOW - HOUR),
            (late, NOW + HOUR),
        ]
        first = claimed[0]
        assert (first.task.title, first.task.assignee_slack_user_id) == ("T1", "U2")
        assert (first.assignee_tz, first.client_name) == ("Asia/Tokyo", "Acme")
        # leased: this worker and any other see them as taken
        assert await uow.reminders.claim_due(now=NOW + HOUR, limit=10, lease=LEASE) == []
    async with uow_factory() as uow:  # rolled back: the lease went with it
        claimed = await uow.reminders.claim_due(now=NOW + 3 * HOUR, limit=2, lease=LEASE)
        assert [d.task.id for d in claimed] == [early, late]
        assert later not in [d.task.id for d in claimed]


async def test_a_committed_lease_holds_until_it_expires(uow_factory: Any) -> None:
    [task] = await add_tasks(uow_factory, timedelta(0))
    async with committed(uow_factory) as uow:
        assert len(await uow.reminders.claim_due(now=NOW, limit=10, lease=LEASE)) == 1
    async with uow_factory() as uow:
        assert await uow.reminders.claim_due(now=NOW + LEASE, limit=10, lease=LEASE) == []
        [again] = await uow.reminders.claim_due(now=NOW + LEASE + SECOND, limit=10, lease=LEASE)
        assert again.task.id == task


async def test_settle_is_compare_and_set_on_the_claimed_time(uow_factory: Any) -> None:
    reminded, held = await add_tasks(uow_factory, timedelta(0), timedelta(0))
    async with committed(uow_factory) as uow:
        await uow.reminders.claim_due(now=NOW, limit=10, lease=LEASE)
        assert not await uow.reminders.mark_reminded(reminded, claimed=NOW - HOUR, now=NOW)
        assert await uow.reminders.mark_reminded(reminded, claimed=NOW, now=NOW)
        assert not await uow.reminders.mark_reminded(reminded, claimed=NOW, now=NOW)
        assert await uow.reminders.hold(held, claimed=NOW, until=NOW + HOUR)
    async with committed(uow_factory) as uow:
        assert await uow.reminders.remind_at(reminded) is None
        assert await uow.reminders.remind_at(held) == NOW + HOUR
        assert await uow.reminders.claim_due(now=NOW + HOUR - SECOND, limit=10, lease=LEASE) == []
        [due] = await uow.reminders.claim_due(now=NOW + HOUR, limit=10, lease=LEASE)
        assert (due.task.id, due.remind_at) == (held, NOW + HOUR)


async def test_snooze_sets_a_new_reminder_on_open_tasks_only(uow_factory: Any) -> None:
    task, done = await add_tasks(uow_factory, -DAY, -DAY)
    async with committed(uow_factory) as uow:
        await uow.reminders.claim_due(now=NOW, limit=10, lease=LEASE)
        await uow.reminders.mark_reminded(task, claimed=NOW - DAY, now=NOW)
        assert await uow.tasks.complete(done, now=NOW)
    async with committed(uow_factory) as uow:
        assert await uow.reminders.snooze(task, until=NOW + HOUR)
        assert not await uow.reminders.snooze(done, until=NOW + HOUR)
        assert not await uow.reminders.snooze(10**6, until=NOW + HOUR)
    async with uow_factory() as uow:
        assert await uow.reminders.remind_at(task) == NOW + HOUR
        assert await uow.reminders.remind_at(done) is None
        [due] = await uow.reminders.claim_due(now=NOW + DAY, limit=10, lease=LEASE)
        assert due.task.id == task  # the done task is never reminded


async def test_saved_preferences_are_none_until_saved(uow_factory: Any) -> None:
    await seed(uow_factory)
    async with committed(uow_factory) as uow:
        assert await uow.reminders.saved_preferences("U2") is None
        await uow.preferences.put(
            UserPreferences("U2", quiet_start="22:00", quiet_end="07:00"), now=NOW
        )
    async with uow_factory() as uow:
        saved = await uow.reminders.saved_preferences("U2")
        assert saved is not None and (saved.quiet_start, saved.digest_hour) == ("22:00", 8)
