"""Risk alerts on the fakes: hysteresis, the daily cap, alerts off, snooze and retention."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from domain.cards import Card
from domain.errors import NotAllowed
from domain.model import Client, OutboxMessage, Surface, User, UserPreferences
from domain.ports import UnitOfWork
from domain.services.risk_alert_actions import RiskAlertActions
from domain.services.risk_alerts import RiskSettings, run_risk_alerts
from tests.fakes import FakeUnitOfWorkFactory
from tests.integration.alerts_fixtures import record

DAY0 = date(2026, 11, 23)
SETTINGS = RiskSettings(alert_at=60, rearm_below=50, max_per_day=2, default_tz="UTC")


class Outbox:
    """A notifier that queues into the fake outbox, as SlackNotifier does."""

    async def notify(
        self, uow: UnitOfWork, *, to: str, card: Card, key: str, now: datetime
    ) -> bool:
        message = OutboxMessage(key=key, channel=to, payload={"text": card.summary})
        return await uow.outbox.enqueue(message, now=now)


@pytest.fixture
async def uows() -> FakeUnitOfWorkFactory:
    factory = FakeUnitOfWorkFactory()
    async with factory() as uow:
        await uow.users.upsert_many([User("U1", "Dana"), User("U2", "Sam")])
        await uow.clients.upsert_many(
            [Client(f"C{n}", f"Client {n}", owner_slack_user_id="U1") for n in range(1, 5)]
            + [Client("C9", "Orphan")]
        )
        await uow.commit()
    return factory


async def day(uows: FakeUnitOfWorkFactory, n: int, **risks: int) -> dict[str, Any]:
    """Keep the day's scores and run one cycle at 02:00 UTC of that day."""
    when = DAY0 + timedelta(days=n)
    async with uows() as uow:
        ids = await uow.clients.ids_for(risks)
        records = [record(ids[x], x, when, risk=r) for x, r in risks.items()]
        now = datetime(when.year, when.month, when.day, 1, tzinfo=UTC)
        await uow.scores.save(records, as_of=when, computed_at=now)
        await uow.commit()
    at = datetime(when.year, when.month, when.day, 2, tzinfo=UTC)
    return dict(await run_risk_alerts(uows, notifier=Outbox(), settings=SETTINGS, now=at))


def sent(uows: FakeUnitOfWorkFactory) -> list[str]:
    return [k for k in uows.tables.outbox if k.startswith("risk-alert:")]


async def test_hysteresis(uows: FakeUnitOfWorkFactory) -> None:
    assert (await day(uows, 0, C1=59))["sent"] == 0
    assert (await day(uows, 1, C1=60))["sent"] == 1  # 60 is "60 or more"
    for n, risk in enumerate((90, 50, 65), start=2):
        assert (await day(uows, n, C1=risk))["sent"] == 0
    assert (await day(uows, 5, C1=49))["rearmed"] == 1
    assert (await day(uows, 6, C1=61))["sent"] == 1
    assert len(sent(uows)) == 2


async def test_cap_folds_the_rest_and_no_owner_is_counted(uows: FakeUnitOfWorkFactory) -> None:
    counts = await day(uows, 0, C1=70, C2=70, C3=70, C4=70, C9=99)
    assert (counts["sent"], counts["folded"], counts["no_owner"]) == (2, 2, 1)
    assert len(sent(uows)) == 2


async def test_alerts_switched_off_are_muted(uows: FakeUnitOfWorkFactory) -> None:
    async with uows() as uow:
        await uow.preferences.put(
            UserPreferences("U1", alerts={"risk": False}), now=datetime.now(UTC)
        )
        await uow.commit()
    assert (await day(uows, 0, C1=70))["muted"] == 1
    assert sent(uows) == []


async def test_snooze_and_retention_buttons(uows: FakeUnitOfWorkFactory) -> None:
    await day(uows, 0, C1=70, C2=70)
    now = datetime(2026, 11, 23, 9, tzinfo=UTC)
    actions = RiskAlertActions(uows, clock=lambda: now, default_tz="UTC")
    with pytest.raises(NotAllowed):
        await actions.retention("U2", 1, surface=Surface.BUTTON)
    card, changed = await actions.retention("U1", 1, surface=Surface.BUTTON)
    assert changed and "Retention task created" in card.blocks[-1].text  # type: ignore[union-attr]
    assert not (await actions.retention("U1", 1, surface=Surface.BUTTON))[1]
    [task] = uows.tables.tasks.values()
    assert (task.title, task.rule, task.assignee_slack_user_id) == (
        "Retention outreach",
        "retention",
        "U1",
    )
    card, changed = await actions.snooze("U1", 2, surface=Surface.BUTTON)
    assert changed and "Snoozed until Mon 30 Nov" in card.blocks[-1].text  # type: ignore[union-attr]
    assert not (await actions.snooze("U1", 2, surface=Surface.BUTTON))[1]
    later = now + timedelta(days=7)
    counts = await run_risk_alerts(uows, notifier=Outbox(), settings=SETTINGS, now=later)
    assert counts["woken"] == 1 and len(sent(uows)) == 3


async def test_quiet_hours_hold_an_alert_until_they_end(uows: FakeUnitOfWorkFactory) -> None:
    async with uows() as uow:
        quiet = UserPreferences("U1", quiet_start="22:00", quiet_end="08:00")
        await uow.preferences.put(quiet, now=datetime.now(UTC))
        await uow.commit()
    counts = await day(uows, 0, C1=70)  # 02:00 UTC, U1's zone is the default (UTC)
    assert (counts["held"], counts["sent"]) == (1, 0) and sent(uows) == []
    at_eight = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    counts = await run_risk_alerts(uows, notifier=Outbox(), settings=SETTINGS, now=at_eight)
    assert (counts["woken"], counts["sent"]) == (1, 1) and len(sent(uows)) == 1
    async with uows() as uow:
        raised = [e.details for e in await uow.audit.list() if e.action == "risk_alert.raised"]
    assert [d["status"] for d in raised] == ["held", "sent"]
    assert raised[0]["held_until"] == at_eight.isoformat() and not raised[1]["after_snooze"]
