"""Snooze: remind me again in 1 hour, tomorrow 09:00, next Monday 09:00, or when I say.

The Snooze button (a reminder, ``/crm tasks``, the App Home) carries only the task id;
who may snooze is checked here, when the choices are offered and again when one is
taken. A snooze sets the task's next reminder (its due date stays), so a new reminder
comes at that time; it is audited with the reminder time before and after.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.cards import Card, Text
from domain.dates import format_when, parse_when
from domain.dates_phrases import local_time
from domain.errors import CrmError, NotAllowed
from domain.model import AuditEntry, Surface, Task, TaskStatus
from domain.ports_reminders import RemindersUnitOfWork
from domain.services.identity import Actor
from domain.services.tasks import TaskNotFound
from domain.text import safe

CHOICES = {"hour": "In 1 hour", "tomorrow": "Tomorrow, 09:00", "monday": "Next Monday, 09:00"}
NINE = time(9)


class TaskClosed(CrmError):
    def __init__(self, task: Task) -> None:
        super().__init__(
            f"“{safe(task.title, 200)}” is already {task.status.value}; there's nothing to snooze."
        )


class NoSnoozeTime(CrmError, ValueError):
    def __init__(self) -> None:
        super().__init__("Pick when to be reminded, or type a time.")


@dataclass(frozen=True)
class SnoozeOffer:
    task: Task
    choices: tuple[tuple[str, str, datetime], ...]  # key, label, the time it means


def choice_time(key: str, *, now: datetime, tz: ZoneInfo) -> datetime:
    """What a choice means now, in the user's zone (aware UTC)."""
    local = now.astimezone(tz)
    if key == "hour":
        return now + timedelta(hours=1)
    if key == "tomorrow":
        return local_time(local.date() + timedelta(days=1), NINE, tz).astimezone(UTC)
    if key == "monday":  # the first Monday after today
        days = 7 - local.weekday()
        return local_time(local.date() + timedelta(days=days), NINE, tz).astimezone(UTC)
    raise NoSnoozeTime()


async def offer(
    uow: RemindersUnitOfWork, slack_user_id: str, task_id: int, *, now: datetime, tz: ZoneInfo
) -> SnoozeOffer:
    """The choices, with the times they mean; errors when the task can't be snoozed."""
    task = await _snoozable(uow, slack_user_id, task_id)
    choices = tuple((k, label, choice_time(k, now=now, tz=tz)) for k, label in CHOICES.items())
    return SnoozeOffer(task, choices)


async def snooze(
    uow: RemindersUnitOfWork,
    me: Actor,
    task_id: int,
    *,
    choice: str | None,
    typed: str | None,
    surface: Surface,
    now: datetime,
) -> Card:
    """Set the next reminder; a typed time (read in ``me``'s zone) wins over a choice.
    BadDate for a typed time that can't be read or is past; NoSnoozeTime for neither."""
    task = await _snoozable(uow, me.slack_user_id, task_id)
    if typed and typed.strip():
        until = parse_when(typed, now=now, tz=me.tz, purpose="task")
    elif choice:
        until = choice_time(choice, now=now, tz=me.tz)
    else:
        raise NoSnoozeTime()
    before = await uow.reminders.remind_at(task_id)
    if not await uow.reminders.snooze(task_id, until=until):
        raise TaskClosed(task)
    await uow.audit.add(
        AuditEntry(
            actor=me.slack_user_id,
            surface=surface,
            action="task.snoozed",
            entity_type="task",
            entity_id=str(task_id),
            details={
                "before": {"remind_at": before.isoformat() if before else None},
                "after": {"remind_at": until.isoformat()},
                "choice": "typed" if typed and typed.strip() else choice,
                "client_id": task.client_id,
            },
            at=now,
        )
    )
    whom = "you" if task.assignee_slack_user_id == me.slack_user_id else "them"
    return Card(
        summary=f"Snoozed: {task.title}",
        blocks=(
            Text(
                f":zzz: Snoozed *{safe(task.title, 500)}* — I'll remind {whom} "
                f"{format_when(until, me.tz, now=now)}."
            ),
        ),
    )


async def _snoozable(uow: RemindersUnitOfWork, slack_user_id: str, task_id: int) -> Task:
    task = await uow.tasks.get(task_id)
    if task is None:
        raise TaskNotFound()
    if slack_user_id not in (task.assignee_slack_user_id, task.created_by_slack_user_id):
        raise NotAllowed("Only the person the task is for (or who set it) can snooze it.")
    if task.status != TaskStatus.OPEN:
        raise TaskClosed(task)
    return task
