"""The buttons on a risk alert: **Create retention task** and **Snooze 7 days**.

Both are compare-and-set on the alert, so a double click or Slack's retry acts once; the
retention task also meets the database's one-open-task-per-client-and-rule index, so it
never duplicates the auto-task rule's own "Retention outreach".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from domain.cards import Card, info_card
from domain.dates import next_working_day_9am
from domain.errors import CrmError, NotAllowed
from domain.model import AuditEntry, Surface, Task
from domain.ports import UnitOfWork, UnitOfWorkFactory
from domain.ports_alerts import RiskAlert
from domain.services.auto_tasks_rules import RULES
from domain.services.identity import zone
from domain.services.risk_alert_cards import retention_card, snoozed_card
from domain.text import escape

SNOOZE = timedelta(days=7)
RETENTION_RULE = "retention"


class AlertNotFound(CrmError, LookupError):
    def __init__(self) -> None:
        super().__init__("That alert no longer exists.")


class RiskAlertActions:
    def __init__(
        self, uows: UnitOfWorkFactory, *, clock: Callable[[], datetime], default_tz: str
    ) -> None:
        self.uows, self.clock, self.default_tz = uows, clock, default_tz

    async def retention(
        self, slack_user_id: str, alert_id: int, *, surface: Surface
    ) -> tuple[Card, bool]:
        """The card to show, and whether this click changed anything (the alert is then
        updated in place; otherwise the answer is a note beside it)."""
        now = self.clock()
        async with self.uows() as uow:
            alert = await self._alert(uow, slack_user_id, alert_id)
            if alert.handled_at is not None:
                return info_card("That alert was already dealt with; nothing changed."), False
            user = await uow.users.get(slack_user_id)
            tz = zone(user.timezone if user else None, self.default_tz)
            due = next_working_day_9am(now=now, tz=tz)
            task = await uow.auto_tasks.add(
                Task(title=RULES[RETENTION_RULE].title, assignee_slack_user_id=slack_user_id,
                     due_at=due, client_id=alert.client.client_id,
                     created_by_slack_user_id=slack_user_id, rule=RETENTION_RULE,
                     created_at=now)
            )  # fmt: skip
            if task is None:
                message = (
                    f"{escape(alert.client.name)} already has an open retention task; "
                    "see `/crm tasks`."
                )
                return info_card(message), False
            if not await uow.risk_alerts.handle(alert_id, now=now):
                return info_card("That alert was already dealt with; nothing changed."), False
            await _audit(uow, slack_user_id, surface, "task.created", "task", str(task.id),
                         alert, now, {"assignee": slack_user_id, "due_at": due.isoformat(),
                                      "rule": RETENTION_RULE,  # and the alert it handled:
                                      "before": {"alert_handled_at": None},
                                      "after": {"alert_handled_at": now.isoformat()}})  # fmt: skip
            await uow.commit()
        return retention_card(alert, assignee=slack_user_id, due=due, tz=tz, now=now), True

    async def snooze(
        self, slack_user_id: str, alert_id: int, *, surface: Surface
    ) -> tuple[Card, bool]:
        now = self.clock()
        until = now + SNOOZE
        async with self.uows() as uow:
            alert = await self._alert(uow, slack_user_id, alert_id)
            if not await uow.risk_alerts.snooze(alert_id, until=until, now=now):
                message = "That alert is already snoozed or dealt with; nothing changed."
                return info_card(message), False
            await _audit(uow, slack_user_id, surface, "risk_alert.snoozed", "risk_alert",
                         str(alert_id), alert, now, {"until": until.isoformat(),
                         "before": {"snoozed_until": _iso(alert.snoozed_until)},
                         "after": {"snoozed_until": until.isoformat()}})  # fmt: skip
            user = await uow.users.get(slack_user_id)
            await uow.commit()
        tz = zone(user.timezone if user else None, self.default_tz)
        return snoozed_card(alert, until=until, tz=tz, now=now), True

    async def _alert(self, uow: UnitOfWork, slack_user_id: str, alert_id: int) -> RiskAlert:
        alert = await uow.risk_alerts.get(alert_id)
        if alert is None:
            raise AlertNotFound()
        owner = alert.owner_slack_user_id
        if slack_user_id not in (owner, alert.client.owner_slack_user_id):
            raise NotAllowed("Only the client's owner can act on this alert.")
        return alert


async def _audit(
    uow: UnitOfWork,
    actor: str,
    surface: Surface,
    action: str,
    entity_type: str,
    entity_id: str,
    alert: RiskAlert,
    now: datetime,
    details: dict[str, object],
) -> None:
    await uow.audit.add(
        AuditEntry(
            actor=actor, surface=surface, action=action, entity_type=entity_type,
            entity_id=entity_id, at=now,
            details={"client_external_id": alert.client.external_id, "alert_id": alert.id,
                     **details},
        )
    )  # fmt: skip


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None
