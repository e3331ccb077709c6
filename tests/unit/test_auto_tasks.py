"""The auto-task job on the fakes: rules, owners, dedupe and the hourly mark."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from domain.model import Client, Invoice, TaskOrigin, User, UserPreferences
from domain.services.auto_tasks import run_auto_tasks
from domain.services.auto_tasks_rules import DEFAULT_RULES, RuleSettings
from tests.fakes import FakeUnitOfWorkFactory

NOW = datetime(2026, 11, 25, 10, tzinfo=UTC)
ONLY_PAYMENT = {n: (s if n == "payment_overdue" else RuleSettings(enabled=False))
                for n, s in DEFAULT_RULES.items()}  # fmt: skip


async def test_payment_rule_owner_dedupe_and_audit() -> None:
    uows = FakeUnitOfWorkFactory()
    async with uows() as uow:
        await uow.users.upsert_many([User("U1", "Dana", timezone="Europe/Paris")])
        await uow.clients.upsert_many(
            [Client("A", "Acme", owner_slack_user_id="U1"), Client("B", "Orphan")]
        )
        await uow.invoices.upsert_many(
            [Invoice(f"I{x}", x, NOW - timedelta(days=60), NOW - timedelta(days=31), Decimal(9))
             for x in "AB"]
        )  # fmt: skip
        await uow.commit()

    async def run(at: datetime) -> dict[str, int]:
        return dict(await run_auto_tasks(uows, rules=ONLY_PAYMENT, default_tz="UTC", now=at))

    counts = await run(NOW)
    assert (counts["created_payment_overdue"], counts["skipped_no_owner"]) == (1, 1)
    [task] = uows.tables.tasks.values()
    assert (task.assignee_slack_user_id, task.origin, task.rule) == (
        "U1", TaskOrigin.AUTO_RULE, "payment_overdue",
    )  # fmt: skip
    assert task.due_at == datetime(2026, 11, 26, 8, tzinfo=UTC)  # 09:00 in Paris, next day
    assert (await run(NOW))["ran_this_hour_already"] == 1
    assert (await run(NOW + timedelta(days=30)))["skipped_open"] == 1
    assert [e.action for e in uows.tables.audit] == ["task.auto_created"]


async def test_an_owner_who_turned_auto_tasks_off_gets_none() -> None:
    uows = FakeUnitOfWorkFactory()
    async with uows() as uow:
        await uow.users.upsert_many([User("U1", "Dana")])
        await uow.preferences.put(UserPreferences("U1", alerts={"auto_tasks": False}), now=NOW)
        await uow.clients.upsert_many([Client("A", "Acme", owner_slack_user_id="U1")])
        due = NOW - timedelta(days=40)
        await uow.invoices.upsert_many(
            [Invoice("I1", "A", due - timedelta(days=30), due, Decimal(9))]
        )
        await uow.commit()
    counts = await run_auto_tasks(uows, rules=ONLY_PAYMENT, default_tz="UTC", now=NOW)
    assert counts["skipped_owner_opted_out"] == 1 and uows.tables.tasks == {}
