"""The digest job through ``run_job`` on SQLite and PostgreSQL: timing in each user's zone,
once a local day, nothing when empty, the team summary, Block Kit's limit, concurrency."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.bootstrap import Container, build
from bot.config import DigestPolicy, Policy
from bot.slack.adapters import SlackNotifier
from domain.cards import Actions, Button, Text
from domain.chat.replies import APPROVE, REJECT
from domain.model import UserPreferences
from domain.ports import UnitOfWork
from domain.ports_approvals import WaitingSection
from domain.services.digest import DigestService, DigestSettings
from schedulers.jobs import run_job
from storage.models import DigestRunRow
from tests.conftest import make_settings
from tests.integration.alerts_fixtures import (
    AKL,
    HNL,
    LA,
    MGR,
    ZONES,
    add_task,
    outbox,
    seed_users,
    set_prefs,
    text_of,
)

MONDAY = datetime(2026, 11, 23)  # local dates below are this Monday, in each user's zone


def local(user: str, day: datetime, hour: int, minute: int = 0) -> datetime:
    """``hour:minute`` on ``day`` in the user's zone, as UTC."""
    zone = ZoneInfo(ZONES.get(user, "UTC"))
    return day.replace(hour=hour, minute=minute, tzinfo=zone).astimezone(UTC)


async def digest(container: Container, now: datetime) -> dict[str, int]:
    return dict((await run_job(container, "digest", now=now)).counts)


@pytest.mark.parametrize("who", [LA, HNL, AKL], ids=["UTC-8", "UTC-10", "UTC+13"])
async def test_digest_at_eight_local_once_a_day_on_working_days(
    container: Container, who: str
) -> None:
    await seed_users(container)
    await add_task(container, who, "Call back <Acme>", local(who, MONDAY, 9) - timedelta(days=2))
    await add_task(container, who, "Send pricing", local(who, MONDAY, 15))
    await digest(container, local(who, MONDAY, 7, 59))
    assert await outbox(container, f"digest:{who}") == []
    await digest(container, local(who, MONDAY, 8))
    [sent] = await outbox(container, f"digest:{who}")
    assert sent.key == f"digest:{who}:2026-11-23" and sent.channel == who
    text = text_of(sent.payload)
    assert "1 overdue, 1 due today" in text and "Call back &lt;Acme&gt;" in text
    assert len(sent.payload["blocks"]) <= 50
    # a rerun later the same local day sends nothing more
    await digest(container, local(who, MONDAY, 8, 1))
    await digest(container, local(who, MONDAY, 18))
    assert len(await outbox(container, f"digest:{who}")) == 1
    # the next day sends again; the weekend sends nothing
    await digest(container, local(who, MONDAY + timedelta(days=1), 8))
    assert [r.key for r in await outbox(container, f"digest:{who}")][-1].endswith("2026-11-24")
    await digest(container, local(who, MONDAY + timedelta(days=5), 9))  # Saturday
    await digest(container, local(who, MONDAY + timedelta(days=6), 9))  # Sunday
    assert len(await outbox(container, f"digest:{who}")) == 2


async def test_a_missed_day_is_not_caught_up_but_later_that_day_still_sends(
    container: Container,
) -> None:
    await seed_users(container, zones={LA: ZONES[LA]})
    await add_task(container, LA, "Old promise", local(LA, MONDAY, 9) - timedelta(days=9))
    await digest(container, local(LA, MONDAY, 23, 30))  # no cycle ran until late evening
    await digest(container, local(LA, MONDAY + timedelta(days=2), 8, 5))  # Tuesday missed
    assert [r.key for r in await outbox(container, "digest:")] == [
        f"digest:{LA}:2026-11-23",
        f"digest:{LA}:2026-11-25",
    ]


async def test_digest_follows_a_dst_change(container: Container) -> None:
    """New York leaves daylight time on Sun 1 Nov 2026: 08:00 moves from 12:00 to 13:00 UTC."""
    await seed_users(container, zones={"U0NY": "America/New_York"})
    await add_task(container, "U0NY", "Chase", datetime(2026, 10, 20, tzinfo=UTC))
    await digest(container, datetime(2026, 10, 30, 12, 0, tzinfo=UTC))  # Fri 08:00 EDT
    await digest(container, datetime(2026, 11, 2, 12, 30, tzinfo=UTC))  # Mon 07:30 EST
    assert len(await outbox(container, "digest:")) == 1
    await digest(container, datetime(2026, 11, 2, 13, 0, tzinfo=UTC))  # Mon 08:00 EST
    assert [r.key for r in await outbox(container, "digest:")][-1] == "digest:U0NY:2026-11-02"


async def test_custom_hour_and_days_from_preferences_and_the_policy_file(
    container: Container,
) -> None:
    await seed_users(container)
    for who in (LA, HNL):
        await add_task(container, who, "Something", local(who, MONDAY, 0) - timedelta(days=1))
    await set_prefs(container, UserPreferences(LA, digest_hour=10, digest_days=["sat"]))
    container._policy = Policy(digest=DigestPolicy(hour=6, days=("mon",)))
    await digest(container, local(LA, MONDAY, 11))  # Monday is not one of LA's days
    await digest(container, local(HNL, MONDAY, 6))  # the policy file's hour for the others
    assert [r.key for r in await outbox(container, "digest:")] == [f"digest:{HNL}:2026-11-23"]
    saturday = MONDAY + timedelta(days=5)
    await digest(container, local(LA, saturday, 9, 59))
    await digest(container, local(LA, saturday, 10))
    assert [r.key for r in await outbox(container, "digest:")][-1] == f"digest:{LA}:2026-11-28"


async def test_nothing_to_report_sends_nothing_and_alerts_off_sends_nothing(
    container: Container,
) -> None:
    await seed_users(container, zones={LA: ZONES[LA], HNL: ZONES[HNL]})
    await add_task(container, HNL, "Overdue", local(HNL, MONDAY, 0) - timedelta(days=1))
    await set_prefs(container, UserPreferences(HNL, alerts={"digest": False}))
    counts = await digest(container, local(HNL, MONDAY, 9))
    assert await outbox(container, "digest:") == []
    assert counts["empty"] >= 1  # LA (and the manager): claimed, nothing to say
    async with container.uow() as uow:
        runs = (await uow.session.execute(select(DigestRunRow))).scalars().all()
        assert runs and all(r.items == 0 and r.sent_at is None for r in runs)


async def test_a_manager_s_digest_has_a_team_summary(container: Container) -> None:
    await seed_users(container, managed=True)
    await add_task(container, LA, "Late one", datetime(2026, 11, 20, tzinfo=UTC))
    await add_task(container, LA, "Late two", datetime(2026, 11, 21, tzinfo=UTC))
    await add_task(container, AKL, "Late three", datetime(2026, 11, 21, tzinfo=UTC))
    await digest(container, datetime(2026, 11, 23, 8, 0, tzinfo=UTC))  # 08:00 in London
    [sent] = await outbox(container, f"digest:{MGR}")
    text = text_of(sent.payload)
    assert "*Your team*" in text
    assert f"<@{LA}> — 2 overdue" in text and f"<@{AKL}> — 1 overdue" in text
    assert f"<@{HNL}>" not in text  # nothing late: not listed


async def test_many_tasks_stay_within_fifty_blocks(container: Container) -> None:
    await seed_users(container, zones={LA: ZONES[LA]})
    for n in range(80):
        await add_task(
            container, LA, f"Task {n}", datetime(2026, 11, 1, tzinfo=UTC) + timedelta(hours=n)
        )
    await digest(container, local(LA, MONDAY, 8))
    [sent] = await outbox(container, f"digest:{LA}")
    blocks = sent.payload["blocks"]
    assert len(blocks) <= 50
    shown = sum(1 for b in blocks if (b.get("accessory") or {}).get("action_id") == "task_done")
    assert shown >= 40
    assert f"and {80 - shown} more — `/crm tasks`" in text_of(sent.payload)


async def test_two_concurrent_cycles_send_one_digest(
    database_url: str, container: Container
) -> None:
    await seed_users(container)
    for who in (LA, HNL, AKL):
        await add_task(container, who, "Overdue", datetime(2026, 11, 1, tzinfo=UTC))
    other = build(make_settings(database_url), clock=container.clock)
    try:
        now = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)  # after 08:00 for LA and HNL
        results = await asyncio.gather(digest(container, now), digest(other, now))
    finally:
        await other.close()
    assert sum(r["sent"] for r in results) == 3
    assert sorted(r.key for r in await outbox(container, "digest:")) == [
        f"digest:{AKL}:2026-11-24",  # already Tuesday 09:00 in Auckland
        f"digest:{HNL}:2026-11-23",
        f"digest:{LA}:2026-11-23",
    ]


class Waiting:
    """A stand-in for the Approvals service's ``WaitingApprovals``: two quotes shown of 4."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, int]] = []

    async def waiting_on(
        self, uow: UnitOfWork, slack_user_id: str, *, now: datetime, limit: int
    ) -> WaitingSection:
        self.asked.append((slack_user_id, limit))
        if slack_user_id != MGR:
            return WaitingSection()
        quote = (
            Text("*Q-1* Acme — 12,000.00", fields=("Discount 12%",)),
            Actions((Button("Approve", APPROVE, "q1"), Button("Reject", REJECT, "q1"))),
        )
        return WaitingSection(blocks=quote * 2, total=4)


async def test_approvals_waiting_on_a_user_come_with_their_buttons(container: Container) -> None:
    await seed_users(container)
    waiting = Waiting()
    service = DigestService(
        container.uow,
        notifier=SlackNotifier(),
        settings=DigestSettings(),
        approvals=lambda: waiting,
    )
    await service.run_cycle(now=datetime(2026, 11, 23, 9, 0, tzinfo=UTC))  # 09:00 in London
    [sent] = await outbox(container, f"digest:{MGR}")
    text = text_of(sent.payload)
    assert "Waiting on your approval* — 4" in text and "…and 1 more — `/crm quotes`" in text
    ids = [e["action_id"] for b in sent.payload["blocks"] for e in b.get("elements", [])
           if e.get("type") == "button"]  # fmt: skip
    assert ids == [APPROVE, REJECT, APPROVE, REJECT]
    assert (MGR, 3) in waiting.asked
    # nobody else has anything to report: only the manager's digest went out
    assert [r.key for r in await outbox(container, "digest:")] == [f"digest:{MGR}:2026-11-23"]
