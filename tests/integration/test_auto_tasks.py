"""The auto-tasks job on SQLite and PostgreSQL: each rule, its settings, the owner, the
database's one-open-task-per-client-and-rule guarantee, and the audit trail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.bootstrap import Container
from bot.config import Policy
from bot.config_auto_tasks import AutoTasksPolicy, ThresholdRule, _Rule
from domain.model import Activity, ActivityType, Invoice, Payment, Surface, Task, TaskOrigin
from schedulers.jobs import run_job
from storage.models import TaskRow
from tests.integration.alerts_fixtures import LA, keep_scores, record, seed_clients, seed_users

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # a Wednesday
TODAY = NOW.date()
RULES = ("payment_overdue", "reorder", "check_in", "retention", "thank_you")


def only(rule: str, **settings: Any) -> Policy:
    """A policy with every auto-task rule off but ``rule``."""
    tables: dict[str, Any] = {}
    for name in RULES:
        kind = ThresholdRule if name in ("payment_overdue", "reorder", "check_in") else _Rule
        tables[name] = kind(enabled=name == rule, **(settings if name == rule else {}))
    return Policy(auto_tasks=AutoTasksPolicy(**tables))


async def run(container: Container, now: datetime = NOW) -> dict[str, int]:
    return dict((await run_job(container, "auto-tasks", now=now)).counts)


async def tasks(container: Container) -> list[tuple[str, str, str, str, str]]:
    """(client external id, rule, title, assignee, origin) of every task, oldest first."""
    async with container.uow() as uow:
        rows = (await uow.session.execute(select(TaskRow).order_by(TaskRow.id))).scalars().all()
        found = []
        for row in rows:
            task = await uow.tasks.get(row.id)
            client = await uow.clients.get_by_id(row.client_id) if row.client_id else None
            assert task is not None and client is not None
            found.append((client.external_id, str(task.rule), task.title,
                          task.assignee_slack_user_id, str(task.origin)))  # fmt: skip
    return found


async def invoices(container: Container, *rows: tuple[str, str, int, bool]) -> None:
    """(invoice id, client id, days past due today, paid in full)."""
    async with container.uow() as uow:
        await uow.invoices.upsert_many(
            [Invoice(i, c, NOW - timedelta(days=d + 30), NOW - timedelta(days=d), Decimal(500))
             for i, c, d, _ in rows]
        )  # fmt: skip
        await uow.payments.upsert_many(
            [Payment(f"P{i}", i, NOW - timedelta(days=1), Decimal(500)) for i, _, _, p in rows if p]
        )
        await uow.commit()


async def test_overdue_payment_creates_a_follow_up_for_the_owner(container: Container) -> None:
    await seed_users(container)
    container._policy = only("payment_overdue")
    await seed_clients(container, {"A": LA, "B": LA, "C": LA, "D": None})
    await invoices(container, ("I1", "A", 40, False), ("I2", "B", 20, False),
                   ("I3", "C", 45, True), ("I4", "D", 50, False))  # fmt: skip
    counts = await run(container)
    assert await tasks(container) == [
        ("A", "payment_overdue", "Follow up on payment", LA, "auto-rule")
    ]
    assert (counts["created_payment_overdue"], counts["skipped_no_owner"]) == (1, 1)
    async with container.uow() as uow:
        [entry] = [e for e in await uow.audit.list() if e.action == "task.auto_created"]
    assert (entry.actor, entry.surface) == ("crmbot", Surface.SCHEDULER)
    assert entry.details["rule"] == "payment_overdue" and entry.details["assignee"] == LA
    assert entry.details["client_external_id"] == "A" and "40 days" in str(entry.details["reason"])
    # the threshold is configurable: 15 days catches B too
    container._policy = only("payment_overdue", days=15)
    await run(container, NOW + timedelta(hours=1))
    assert [t[0] for t in await tasks(container)] == ["A", "B"]


async def test_one_open_task_per_client_and_rule_and_not_straight_back(
    container: Container,
) -> None:
    await seed_users(container)
    container._policy = only("payment_overdue")
    await seed_clients(container, {"A": LA})
    await invoices(container, ("I1", "A", 40, False))
    await run(container)
    assert (await run(container, NOW + timedelta(hours=1)))["skipped_recent"] == 1
    assert (await run(container, NOW + timedelta(days=20)))["skipped_open"] == 1
    assert len(await tasks(container)) == 1
    assert (await run(container, NOW + timedelta(days=20)))["ran_this_hour_already"] == 1
    # done: no new one within again_after_days (14), then one again
    async with container.uow() as uow:
        [row_id] = (await uow.session.execute(select(TaskRow.id))).scalars().all()
        assert await uow.tasks.complete(row_id, now=NOW + timedelta(days=21))
        await uow.commit()
    await run(container, NOW + timedelta(days=21, hours=1))
    assert len(await tasks(container)) == 1
    await run(container, NOW + timedelta(days=36))
    assert len(await tasks(container)) == 2


async def test_the_database_refuses_a_second_open_task_of_a_rule(container: Container) -> None:
    await seed_users(container)
    ids = await seed_clients(container, {"A": LA})
    task = Task("Check in", LA, NOW, client_id=ids["A"], origin=TaskOrigin.AUTO_RULE,
                rule="check_in", created_at=NOW)  # fmt: skip
    async with container.uow() as uow:
        assert await uow.auto_tasks.add(task) is not None
        assert await uow.auto_tasks.add(Task(**{**task.__dict__, "id": None})) is None
        with pytest.raises(IntegrityError):  # not only this code: the index itself
            await uow.tasks.add(Task(**{**task.__dict__, "id": None}))


async def test_reorder_window_open(container: Container) -> None:
    await seed_users(container)
    container._policy = only("reorder")
    ids = await seed_clients(container, {"OPEN": LA, "SOON": LA, "PAST": LA})
    rhythm = {"gap_low_days": 18.0, "gap_high_days": 30.0, "typical_gap_days": 24.0}
    await keep_scores(container, TODAY, [
        record(ids["OPEN"], "OPEN", TODAY, risk=10, days_since_last_order=20.0, **rhythm),
        record(ids["SOON"], "SOON", TODAY, risk=10, days_since_last_order=12.0, **rhythm),
        record(ids["PAST"], "PAST", TODAY, risk=10, days_since_last_order=45.0, **rhythm),
    ])  # fmt: skip
    await run(container)
    assert [(t[0], t[2]) for t in await tasks(container)] == [("OPEN", "Reach out for reorder")]
    container._policy = only("reorder", days=7)  # a week ahead of the window
    await run(container, NOW + timedelta(hours=1))
    assert [t[0] for t in await tasks(container)] == ["OPEN", "SOON"]


async def test_no_contact_for_the_configured_days(container: Container) -> None:
    await seed_users(container)
    container._policy = only("check_in", days=30)
    ids = await seed_clients(container, {"QUIET": LA, "RECENT": LA})
    async with container.uow() as uow:
        for x, days in (("QUIET", 40), ("RECENT", 10)):
            when = NOW - timedelta(days=days)
            activity = Activity(ids[x], ActivityType.CALL, "hello", when, LA, Surface.SLASH)
            await uow.activities.add(activity)
        await uow.commit()
    await run(container)
    assert [(t[0], t[2]) for t in await tasks(container)] == [("QUIET", "Check in")]


async def test_risk_turned_high_and_a_higher_tier(container: Container) -> None:
    await seed_users(container)
    ids = await seed_clients(container, {"RISKY": LA, "GROWN": LA, "SAME": LA})
    before = TODAY - timedelta(days=1)
    await keep_scores(container, before, [
        record(ids["GROWN"], "GROWN", before, risk=10, tier="silver"),
        record(ids["SAME"], "SAME", before, risk=10, tier="gold"),
    ])  # fmt: skip
    await keep_scores(container, TODAY, [
        record(ids["RISKY"], "RISKY", TODAY, risk=72),
        record(ids["GROWN"], "GROWN", TODAY, risk=10, tier="gold"),
        record(ids["SAME"], "SAME", TODAY, risk=10, tier="gold"),
    ])  # fmt: skip
    await run_job(container, "risk-alerts", now=NOW)
    policy = only("retention").auto_tasks.model_copy(update={"thank_you": _Rule(enabled=True)})
    container._policy = Policy(auto_tasks=policy)
    await run(container)
    assert sorted((t[0], t[2]) for t in await tasks(container)) == [
        ("GROWN", "Thank-you call"),
        ("RISKY", "Retention outreach"),
    ]


async def test_rules_switched_off_create_nothing(container: Container) -> None:
    await seed_users(container)
    container._policy = only("none")
    await seed_clients(container, {"A": LA})
    await invoices(container, ("I1", "A", 90, False))
    counts = await run(container)
    assert await tasks(container) == [] and counts["checked_clients"] == 1


async def test_auto_tasks_show_as_auto_created_in_the_task_list(container: Container) -> None:
    await seed_users(container)
    container._policy = only("payment_overdue")
    await seed_clients(container, {"A": LA})
    await invoices(container, ("I1", "A", 40, False))
    await run(container)
    from domain.chat import replies

    async with container.uow() as uow:
        open_tasks = await uow.tasks.open_for(LA)
        card = replies.task_list(open_tasks, {}, tz=ZoneInfo("UTC"), now=NOW)
    assert "auto-created" in " ".join(getattr(b, "text", "") for b in card.blocks)
