"""Snooze choices, who may snooze, and the settings form, on the in-memory fakes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.errors import BadDate, NotAllowed
from domain.model import Surface, Task, User
from domain.services import settings, snooze
from domain.services.identity import Actor
from domain.services.tasks import TaskNotFound
from tests.fakes import FakeUnitOfWorkFactory

NOW = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)  # Wed 09:00 in Los Angeles
LA = ZoneInfo("America/Los_Angeles")


def local(*args: int, tz: ZoneInfo = LA) -> datetime:
    return datetime(*args, tzinfo=tz).astimezone(UTC)


@pytest.mark.parametrize(
    ("key", "now", "tz", "expected"),
    [
        ("hour", NOW, LA, NOW + timedelta(hours=1)),
        ("tomorrow", NOW, LA, local(2026, 11, 26, 9)),
        ("monday", NOW, LA, local(2026, 11, 30, 9)),
        # Monday 10:00: next Monday is a week on, not today
        ("monday", local(2026, 11, 30, 10), LA, local(2026, 12, 7, 9)),
        # Wed 17:00 UTC is already Thursday 06:00 in Auckland: tomorrow is Friday 09:00 NZDT
        ("tomorrow", NOW, ZoneInfo("Pacific/Auckland"), datetime(2026, 11, 26, 20, 0, tzinfo=UTC)),
        # across the DST change: Sat 31 Oct PDT → Mon 2 Nov 09:00 PST
        ("monday", local(2026, 10, 31, 12), LA, datetime(2026, 11, 2, 17, 0, tzinfo=UTC)),
    ],
)
def test_choice_times(key: str, now: datetime, tz: ZoneInfo, expected: datetime) -> None:
    assert snooze.choice_time(key, now=now, tz=tz) == expected


async def seeded() -> tuple[FakeUnitOfWorkFactory, int]:
    uows = FakeUnitOfWorkFactory()
    async with uows() as uow:
        await uow.users.upsert_many([User("U1", "Ana"), User("U2", "Bo"), User("U3", "Cy")])
        task = await uow.tasks.add(Task("Call", "U1", NOW, created_by_slack_user_id="U2"))
        await uow.commit()
    assert task.id is not None
    return uows, task.id


def actor(slack_user_id: str) -> Actor:
    return Actor(User(slack_user_id, slack_user_id), LA, known=True)


async def test_assignee_or_creator_snoozes_and_it_is_audited() -> None:
    uows, task_id = await seeded()
    async with uows() as uow:
        offer = await snooze.offer(uow, "U1", task_id, now=NOW, tz=LA)
        assert [k for k, _, _ in offer.choices] == ["hour", "tomorrow", "monday"]
        card = await snooze.snooze(
            uow, actor("U2"), task_id, choice="tomorrow", typed=None, surface=Surface.MODAL, now=NOW
        )
        assert "I'll remind them Thu 26 Nov, 09:00 PST" in str(card.blocks[0])
        await uow.commit()
    async with uows() as uow:
        assert await uow.reminders.remind_at(task_id) == local(2026, 11, 26, 9)
        [entry] = [e for e in await uow.audit.list() if e.action == "task.snoozed"]
    assert entry.actor == "U2"
    assert entry.details["before"] == {"remind_at": NOW.isoformat()}
    assert entry.details["after"] == {"remind_at": local(2026, 11, 26, 9).isoformat()}


async def test_typed_time_wins_and_bad_ones_are_refused() -> None:
    uows, task_id = await seeded()
    me = actor("U1")
    async with uows() as uow:
        await snooze.snooze(
            uow, me, task_id, choice="hour", typed="friday 3pm", surface=Surface.MODAL, now=NOW
        )
        assert await uow.reminders.remind_at(task_id) == local(2026, 11, 27, 15)
        for bad in ("blargh", "yesterday"):
            with pytest.raises(BadDate):
                await snooze.snooze(
                    uow, me, task_id, choice=None, typed=bad, surface=Surface.MODAL, now=NOW
                )
        with pytest.raises(snooze.NoSnoozeTime):
            await snooze.snooze(
                uow, me, task_id, choice=None, typed=" ", surface=Surface.MODAL, now=NOW
            )


async def test_others_closed_and_missing_tasks_are_refused() -> None:
    uows, task_id = await seeded()
    async with uows() as uow:
        with pytest.raises(NotAllowed):
            await snooze.offer(uow, "U3", task_id, now=NOW, tz=LA)
        with pytest.raises(TaskNotFound):
            await snooze.offer(uow, "U1", 999, now=NOW, tz=LA)
        await uow.tasks.complete(task_id, now=NOW)
        with pytest.raises(snooze.TaskClosed, match="already done"):
            await snooze.offer(uow, "U1", task_id, now=NOW, tz=LA)


def form(**changes: object) -> settings.SettingsForm:
    values: dict[str, object] = {
        "digest_hour": "7",
        "digest_days": ["mon", "wed"],
        "quiet_start": "22:00",
        "quiet_end": "07:00",
        "alerts_on": ["reminders", "digest"],
    }
    return settings.SettingsForm(**(values | changes))  # type: ignore[arg-type]


def test_settings_validate() -> None:
    saved = settings.validate("U1", form())
    assert (saved.digest_hour, saved.digest_days, saved.quiet_start) == (7, ["mon", "wed"], "22:00")
    assert saved.alerts == {"reminders": True, "risk": False, "digest": True, "auto_tasks": False}
    cases = {
        "digest_hour": form(digest_hour=None),
        "digest_days": form(digest_days=[]),
        "quiet_end": form(quiet_end=None),
        "quiet_start": form(quiet_start="25:00"),
    }
    for field, bad in cases.items():
        with pytest.raises(settings.SettingsInvalid) as caught:
            settings.validate("U1", bad)
        assert field in caught.value.errors
    same = form(quiet_end="22:00")
    with pytest.raises(settings.SettingsInvalid, match="same time"):
        settings.validate("U1", same)
    off = settings.validate(
        "U1", form(digest_days=[], alerts_on=[], quiet_start=None, quiet_end=None)
    )
    assert off.alerts["digest"] is False and off.quiet_start is None


async def test_effective_settings_come_from_the_policy_until_saved() -> None:
    uows, _ = await seeded()
    defaults = settings.DigestDefaults(hour=6, days=("tue",))
    async with uows() as uow:
        first = await settings.effective(uow, "U1", defaults=defaults)
        assert (first.digest_hour, first.digest_days) == (6, ["tue"])
        card = await settings.save(
            uow, "U1", form(), defaults=defaults, surface=Surface.MODAL, now=NOW
        )
        assert "07:00 on Mon, Wed" in str(card.blocks[0]) and "Risk alerts off" in str(
            card.blocks[0]
        )
        await uow.commit()
    async with uows() as uow:
        again = await settings.effective(uow, "U1", defaults=defaults)
        [entry] = [e for e in await uow.audit.list() if e.action == "settings.saved"]
    assert (again.digest_hour, again.quiet_end) == (7, "07:00")
    assert entry.details["before"]["digest_hour"] == 6  # type: ignore[index]
    assert entry.details["after"]["digest_hour"] == 7  # type: ignore[index]
