"""The reminders cycle and quiet hours, on the in-memory fakes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.cards import Actions, Card, Text
from domain.chat.replies import DONE, SNOOZE
from domain.model import OutboxMessage, Task, User, UserPreferences
from domain.ports import UnitOfWork
from domain.ports_reminders import DueReminder
from domain.services.reminders import quiet_until, remind_due, reminder_card, reminder_key
from tests.fakes import FakeUnitOfWorkFactory

NOW = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


class Notes:
    """A notifier that queues what it is given, as SlackNotifier does, and keeps the cards."""

    def __init__(self) -> None:
        self.cards: list[tuple[str, Card, str]] = []

    async def notify(
        self, uow: UnitOfWork, *, to: str, card: Card, key: str, now: datetime
    ) -> bool:
        self.cards.append((to, card, key))
        message = OutboxMessage(key=key, channel=to, payload={"text": card.summary})
        return await uow.outbox.enqueue(message, now=now)


async def setup(
    uows: FakeUnitOfWorkFactory, *, due: datetime = NOW, tz: str = "America/Los_Angeles"
) -> int:
    async with uows() as uow:
        await uow.users.upsert_many([User("U1", "Ana", timezone=tz)])
        task = await uow.tasks.add(Task("Call <!channel>", "U1", due, created_at=NOW - HOUR))
        await uow.commit()
    assert task.id is not None
    return task.id


async def cycle(uows: FakeUnitOfWorkFactory, notes: Notes, now: datetime) -> dict[str, int]:
    return await remind_due(uows, notifier=notes, now=now, default_tz="UTC")


async def test_sent_at_its_time_once() -> None:
    uows, notes = FakeUnitOfWorkFactory(), Notes()
    task_id = await setup(uows)
    assert (await cycle(uows, notes, NOW - timedelta(seconds=1)))["sent"] == 0
    assert (await cycle(uows, notes, NOW))["sent"] == 1
    assert (await cycle(uows, notes, NOW + HOUR))["sent"] == 0
    [(to, card, key)] = notes.cards
    assert (to, key) == ("U1", reminder_key(task_id, NOW))
    assert "&lt;!channel&gt;" in card.blocks[0].text  # type: ignore[union-attr]
    async with uows() as uow:
        [entry] = [e for e in await uow.audit.list() if e.action == "task.reminded"]
        assert entry.entity_id == str(task_id) and entry.details["remind_at"] == NOW.isoformat()


async def test_a_snoozed_reminder_comes_again_under_a_new_key() -> None:
    uows, notes = FakeUnitOfWorkFactory(), Notes()
    task_id = await setup(uows)
    await cycle(uows, notes, NOW)
    async with uows() as uow:
        assert await uow.reminders.remind_at(task_id) is None
        assert await uow.reminders.snooze(task_id, until=NOW + HOUR)
        await uow.commit()
    assert (await cycle(uows, notes, NOW + HOUR))["sent"] == 1
    assert [k for _, _, k in notes.cards] == [
        reminder_key(task_id, NOW),
        reminder_key(task_id, NOW + HOUR),
    ]


async def test_turned_off_or_long_late_is_skipped_and_audited() -> None:
    uows, notes = FakeUnitOfWorkFactory(), Notes()
    await setup(uows)
    async with uows() as uow:
        await uow.preferences.put(UserPreferences("U1", alerts={"reminders": False}), now=NOW)
        await uow.commit()
    assert (await cycle(uows, notes, NOW))["muted"] == 1
    late = FakeUnitOfWorkFactory()
    await setup(late, due=NOW - timedelta(days=3))
    assert (await cycle(late, notes, NOW))["stale"] == 1
    assert notes.cards == []
    async with uows() as uow:
        [entry] = [e for e in await uow.audit.list() if e.action == "task.reminder_skipped"]
        assert entry.details["reason"] == "muted"


async def test_held_through_quiet_hours_then_sent() -> None:
    uows, notes = FakeUnitOfWorkFactory(), Notes()
    due = datetime(2026, 11, 26, 7, 0, tzinfo=UTC)  # 23:00 Wed in Los Angeles
    await setup(uows, due=due)
    async with uows() as uow:
        prefs = UserPreferences("U1", quiet_start="22:00", quiet_end="07:00")
        await uow.preferences.put(prefs, now=NOW)
        await uow.commit()
    assert (await cycle(uows, notes, due))["held"] == 1
    morning = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)  # 07:00 Thu in Los Angeles
    assert (await cycle(uows, notes, morning - timedelta(minutes=1)))["sent"] == 0
    assert (await cycle(uows, notes, morning))["sent"] == 1
    assert notes.cards[0][2].endswith(morning.isoformat())


def at(zone: str, *args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(zone)).astimezone(UTC)


@pytest.mark.parametrize(
    ("start", "end", "zone", "now", "until"),
    [
        ("22:00", "07:00", "America/Los_Angeles", (2026, 11, 25, 23, 30), (2026, 11, 26, 7, 0)),
        ("22:00", "07:00", "America/Los_Angeles", (2026, 11, 26, 3, 0), (2026, 11, 26, 7, 0)),
        ("22:00", "07:00", "America/Los_Angeles", (2026, 11, 26, 7, 0), None),
        ("22:00", "07:00", "America/Los_Angeles", (2026, 11, 25, 21, 59), None),
        ("12:00", "13:30", "Asia/Tokyo", (2026, 11, 25, 12, 45), (2026, 11, 25, 13, 30)),
        ("12:00", "13:30", "Asia/Tokyo", (2026, 11, 25, 13, 30), None),
        ("20:00", "08:00", "Pacific/Honolulu", (2026, 11, 25, 20, 0), (2026, 11, 26, 8, 0)),
        ("20:00", "08:00", "Pacific/Auckland", (2026, 11, 25, 6, 0), (2026, 11, 25, 8, 0)),
        (None, None, "UTC", (2026, 11, 25, 3, 0), None),
        ("09:00", "09:00", "UTC", (2026, 11, 25, 9, 0), None),
    ],
)
def test_quiet_hours_in_the_users_zone(
    start: str | None,
    end: str | None,
    zone: str,
    now: tuple[int, ...],
    until: tuple[int, ...] | None,
) -> None:
    prefs = UserPreferences("U1", quiet_start=start, quiet_end=end)
    held = quiet_until(prefs, now=at(zone, *now), tz=ZoneInfo(zone))
    assert held == (at(zone, *until) if until else None)


def test_quiet_hours_ending_in_a_dst_change() -> None:
    # 02:30 on 2027-03-14 does not exist in Los Angeles: the hold ends an hour on, 03:30 PDT
    prefs = UserPreferences("U1", quiet_start="22:00", quiet_end="02:30")
    la = ZoneInfo("America/Los_Angeles")
    held = quiet_until(prefs, now=at("America/Los_Angeles", 2027, 3, 13, 23, 0), tz=la)
    assert held == datetime(2027, 3, 14, 10, 30, tzinfo=UTC)


def test_the_card_has_done_and_snooze_with_the_task_id() -> None:
    task = Task("Renew", "U1", NOW + HOUR, recurrence="every 2 weeks", id=7)
    due = DueReminder(task, NOW, "Asia/Tokyo", client_name="A & B")
    card = reminder_card(due, tz=ZoneInfo("Asia/Tokyo"), now=NOW)
    text = card.blocks[0]
    assert (
        isinstance(text, Text) and "A &amp; B" in text.text and "Thu 26 Nov, 03:00 JST" in text.text
    )
    actions = card.blocks[-1]
    assert isinstance(actions, Actions)
    assert [(b.label, b.action_id, b.value) for b in actions.buttons] == [
        ("Done", DONE, "7"),
        ("Snooze", SNOOZE, "7"),
    ]
    assert "every 2 weeks" in str(card.blocks[1])
