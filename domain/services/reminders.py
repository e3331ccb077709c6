"""The reminders job: at a task's reminder time, a direct message to its assignee.

One cycle claims the due reminders in batches. Each batch is one transaction: the claim
(a lease; row locks on PostgreSQL), the message queued in the outbox under a key unique
to that task and reminder time, and the reminder cleared. So several workers never send
one reminder twice, and a crash before the commit leaves it for the next cycle.

A reminder is held while its assignee's quiet hours last (in their zone), skipped when
they turned reminders off, and skipped when it is more than a day late (after an outage,
or tasks imported long overdue): the digest lists overdue tasks instead.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.cards import Actions, Button, Card, Note, Text
from domain.chat.replies import DONE, SNOOZE
from domain.dates import format_when
from domain.dates_phrases import local_time
from domain.model import AuditEntry, Surface, UserPreferences
from domain.ports_chat import Notifier
from domain.ports_reminders import DueReminder, RemindersUnitOfWork, RemindersUnitOfWorkFactory
from domain.recurrence import parse_rule
from domain.services.identity import zone
from domain.services.settings import wants
from domain.text import escape, safe

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
STALE_AFTER = timedelta(hours=24)
BATCH = 100
MAX_BATCHES = 50  # 5,000 reminders a cycle; the rest wait a minute for the next tick
SCHEDULER = "scheduler"
OUTCOMES = ("sent", "held", "muted", "stale")


def reminder_key(task_id: int, remind_at: datetime) -> str:
    """The outbox key of one logical reminder: one per task and reminder time."""
    return f"reminder:{task_id}:{remind_at.astimezone(UTC).isoformat()}"


@dataclass
class _Cycle:
    """What one cycle's reminders share; settings are read once per user and cycle."""

    notifier: Notifier
    now: datetime
    default_tz: str
    preferences: dict[str, UserPreferences] = field(default_factory=dict)

    async def preferences_of(self, uow: RemindersUnitOfWork, slack_user_id: str) -> UserPreferences:
        if slack_user_id not in self.preferences:
            self.preferences[slack_user_id] = await uow.preferences.get(slack_user_id)
        return self.preferences[slack_user_id]


async def remind_due(
    uows: RemindersUnitOfWorkFactory,
    *,
    notifier: Notifier,
    now: datetime,
    default_tz: str,
    batch: int = BATCH,
) -> dict[str, int]:
    """One cycle: every reminder due at ``now``; counts by outcome."""
    counts: Counter[str] = Counter({outcome: 0 for outcome in OUTCOMES})
    cycle = _Cycle(notifier, now, default_tz)
    for _ in range(MAX_BATCHES):
        async with uows() as uow:
            claimed = await uow.reminders.claim_due(now=now, limit=batch, lease=LEASE)
            for due in claimed:
                counts[await _settle(uow, due, cycle)] += 1
            await uow.commit()
        if len(claimed) < batch:
            break
    return dict(counts)


async def _settle(uow: RemindersUnitOfWork, due: DueReminder, cycle: _Cycle) -> str:
    task, claimed, now = due.task, due.remind_at, cycle.now
    assert task.id is not None
    preferences = await cycle.preferences_of(uow, task.assignee_slack_user_id)
    user_tz = zone(due.assignee_tz, cycle.default_tz)
    muted = not wants(preferences, "reminders")
    if muted or now - claimed > STALE_AFTER:
        outcome = "muted" if muted else "stale"
        await uow.reminders.mark_reminded(task.id, claimed=claimed, now=now)
        await _audit(uow, due, "task.reminder_skipped", now, reason=outcome, **_moved(due, now))
        return outcome
    until = quiet_until(preferences, now=now, tz=user_tz)
    if until is not None:
        await uow.reminders.hold(task.id, claimed=claimed, until=until)
        held = {"before": {"remind_at": due.remind_at.isoformat()},
                "after": {"remind_at": until.isoformat()}}  # fmt: skip
        await _audit(uow, due, "task.reminder_held", now, until=until.isoformat(), **held)
        return "held"
    key = reminder_key(task.id, claimed)
    card = reminder_card(due, tz=user_tz, now=now)
    to = task.assignee_slack_user_id
    queued = await cycle.notifier.notify(uow, to=to, card=card, key=key, now=now)
    await uow.reminders.mark_reminded(task.id, claimed=claimed, now=now)
    await _audit(uow, due, "task.reminded", now, key=key, queued=queued, **_moved(due, now))
    return "sent"


def _moved(due: DueReminder, now: datetime) -> dict[str, object]:
    """A reminder given (or skipped): its time cleared, the time it was given kept."""
    return {
        "before": {"remind_at": due.remind_at.isoformat()},
        "after": {"remind_at": None, "reminded_at": now.isoformat()},
    }


async def _audit(
    uow: RemindersUnitOfWork, due: DueReminder, action: str, now: datetime, **details: object
) -> None:
    await uow.audit.add(
        AuditEntry(
            actor=SCHEDULER,
            surface=Surface.SCHEDULER,
            action=action,
            entity_type="task",
            entity_id=str(due.task.id),
            details={
                "assignee": due.task.assignee_slack_user_id,
                "remind_at": due.remind_at.isoformat(),
                "client_id": due.task.client_id,
                **details,
            },
            at=now,
        )
    )


def quiet_until(preferences: UserPreferences, *, now: datetime, tz: ZoneInfo) -> datetime | None:
    """When the user's quiet hours end, if ``now`` is inside them (in their zone, across
    midnight too: 22:00–07:00); None outside them or when they set none."""
    if not preferences.quiet_start or not preferences.quiet_end:
        return None
    start, end = _clock(preferences.quiet_start), _clock(preferences.quiet_end)
    local = now.astimezone(tz)
    at = local.time().replace(tzinfo=None)
    if start == end:
        return None
    inside = start <= at < end if start < end else (at >= start or at < end)
    if not inside:
        return None
    day = local.date() if at < end else local.date() + timedelta(days=1)
    return local_time(day, end, tz).astimezone(UTC)


def _clock(text: str) -> time:
    hours, _, minutes = text.partition(":")
    return time(int(hours), int(minutes or 0))


def reminder_card(due: DueReminder, *, tz: ZoneInfo, now: datetime) -> Card:
    """The reminder DM: the task, when it is due, and Done / Snooze."""
    task = due.task
    about = f" — {escape(due.client_name)}" if due.client_name else ""
    late = ":red_circle: was due" if task.due_at < now - timedelta(minutes=1) else "Due"
    blocks: list[Text | Note | Actions] = [
        Text(
            f":alarm_clock: Reminder: *{safe(task.title, 500)}*{about}\n"
            f"{late} {format_when(task.due_at, tz, now=now)}"
        )
    ]
    rule = parse_rule(task.recurrence or "")
    if rule is not None:
        blocks.append(Note(f":repeat: Repeats {rule.describe()}"))
    blocks.append(
        Actions(
            (
                Button("Done", DONE, str(task.id), style="primary"),
                Button("Snooze", SNOOZE, str(task.id)),
            )
        )
    )
    return Card(summary=f"Reminder: {task.title}", blocks=tuple(blocks))
