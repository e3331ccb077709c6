"""Risk alerts from kept score history, on SQLite and PostgreSQL: the crossing, no re-alert,
re-arming below 50, the daily cap folded into the digest, alerts off, concurrency, audit."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from bot.bootstrap import Container, build
from bot.config import Policy, RiskPolicy
from domain.model import UserPreferences
from schedulers.jobs import run_job
from storage.models import RiskAlertRow
from tests.conftest import make_settings
from tests.integration.alerts_fixtures import (
    LA,
    action_ids,
    keep_scores,
    outbox,
    record,
    seed_clients,
    seed_users,
    set_prefs,
    text_of,
)

DAY = date(2026, 11, 23)


async def alerts(container: Container, day: date, hour: int = 2) -> dict[str, int]:
    now = datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
    return dict((await run_job(container, "risk-alerts", now=now)).counts)


async def scores(container: Container, ids: dict[str, int], day: date, **risks: int) -> None:
    await keep_scores(container, day, [record(ids[x], x, day, risk=r) for x, r in risks.items()])


async def test_a_rise_to_sixty_alerts_once_and_rearms_below_fifty(container: Container) -> None:
    await seed_users(container, zones={LA: "America/Los_Angeles"})
    ids = await seed_clients(container, {"C1": LA})
    await scores(container, ids, DAY, C1=55)
    assert (await alerts(container, DAY))["sent"] == 0
    await scores(container, ids, DAY + timedelta(days=1), C1=64)
    assert (await alerts(container, DAY + timedelta(days=1)))["sent"] == 1
    [alert] = await outbox(container, "risk-alert:")
    assert alert.channel == LA
    assert "Client C1" in text_of(alert.payload) and "*64*" in text_of(alert.payload)
    assert "overdue" in text_of(alert.payload)  # the top factor, in words
    assert action_ids(alert.payload) == ["risk_retention_task", "risk_snooze"]
    # the same scores again, then still high, then dipping but not below 50: nothing new
    assert (await alerts(container, DAY + timedelta(days=1), hour=3))["scores_unchanged"] == 1
    for n, risk in ((2, 70), (3, 52), (4, 61)):
        await scores(container, ids, DAY + timedelta(days=n), C1=risk)
        assert (await alerts(container, DAY + timedelta(days=n)))["sent"] == 0
    # below 50 re-arms; the next rise alerts again
    await scores(container, ids, DAY + timedelta(days=5), C1=45)
    assert (await alerts(container, DAY + timedelta(days=5)))["rearmed"] == 1
    await scores(container, ids, DAY + timedelta(days=6), C1=66)
    assert (await alerts(container, DAY + timedelta(days=6)))["sent"] == 1
    assert len(await outbox(container, "risk-alert:")) == 2
    async with container.uow() as uow:
        audit = [e for e in await uow.audit.list() if e.action == "risk_alert.raised"]
    assert [e.details["risk_score"] for e in audit] == [64, 66]
    assert all(e.actor == "crmbot" and e.surface == "scheduler" for e in audit)


async def test_a_client_first_seen_high_counts_as_a_rise(container: Container) -> None:
    await seed_users(container, zones={LA: "America/Los_Angeles"})
    ids = await seed_clients(container, {"C1": LA, "C2": None, "C3": LA})
    await scores(container, ids, DAY, C1=75, C2=80, C3=59)
    counts = await alerts(container, DAY)
    assert (counts["sent"], counts["no_owner"]) == (1, 1)
    assert [r.channel for r in await outbox(container, "risk-alert:")] == [LA]


async def test_the_daily_cap_folds_the_rest_into_the_digest(container: Container) -> None:
    await seed_users(container, zones={LA: "America/Los_Angeles"})
    container._policy = Policy(risk=RiskPolicy(max_alerts_per_day=2))
    ids = await seed_clients(container, {f"C{n}": LA for n in range(1, 5)})
    await scores(container, ids, DAY, C1=70, C2=71, C3=72, C4=73)
    counts = await alerts(container, DAY, hour=10)  # 02:00 in LA
    assert (counts["sent"], counts["folded"]) == (2, 2)
    assert len(await outbox(container, "risk-alert:")) == 2
    # the morning digest lists all four that turned high, with buttons for the two folded
    await run_job(container, "digest", now=datetime(2026, 11, 23, 16, tzinfo=UTC))
    [digest] = await outbox(container, "digest:")
    text = text_of(digest.payload)
    assert "Clients that turned high-risk" in text
    assert all(f"Client C{n}" in text for n in range(1, 5))
    assert action_ids(digest.payload).count("risk_retention_task") == 2
    # the cap is per local day: the next day's rises are sent again
    await scores(container, ids, DAY + timedelta(days=1), C1=40, C2=40)
    await alerts(container, DAY + timedelta(days=1), hour=10)
    await scores(container, ids, DAY + timedelta(days=2), C1=80, C2=80)
    assert (await alerts(container, DAY + timedelta(days=2), hour=10))["sent"] == 2


async def test_risk_alerts_off_are_recorded_but_not_sent(container: Container) -> None:
    await seed_users(container, zones={LA: "America/Los_Angeles"})
    await set_prefs(container, UserPreferences(LA, alerts={"risk": False}))
    ids = await seed_clients(container, {"C1": LA})
    await scores(container, ids, DAY, C1=90)
    assert (await alerts(container, DAY))["muted"] == 1
    assert await outbox(container, "risk-alert:") == []


async def test_two_concurrent_cycles_alert_once(database_url: str, container: Container) -> None:
    await seed_users(container, zones={LA: "America/Los_Angeles"})
    ids = await seed_clients(container, {f"C{n}": LA for n in range(1, 4)})
    await scores(container, ids, DAY, C1=70, C2=71, C3=72)
    other = build(make_settings(database_url), clock=container.clock)
    try:
        await asyncio.gather(alerts(container, DAY), alerts(other, DAY))
    finally:
        await other.close()
    assert len(await outbox(container, "risk-alert:")) == 3
    async with container.uow() as uow:
        alerted = (await uow.session.execute(select(RiskAlertRow.client_id))).scalars().all()
    assert sorted(alerted) == sorted(ids.values())
