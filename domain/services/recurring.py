"""Repeating tasks: read the rule where a due date goes, and spawn the next one on Done.

``/crm task Acme: call | every 2 weeks from monday`` (or the task modal's Repeat) keeps
the rule on the task; marking it done creates the next occurrence, once (Done is a
compare-and-set), for the same person and client, and audits it.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from zoneinfo import ZoneInfo

from domain.cards import Card, Note
from domain.dates import format_when
from domain.model import AuditEntry, Surface, Task, TaskStatus
from domain.ports import UnitOfWork
from domain.recurrence import Recurrence, first_due, parse_phrase, parse_rule
from domain.services.identity import zone


def read_when(
    text: str | None, *, now: datetime, tz: ZoneInfo, default: datetime
) -> tuple[datetime, Recurrence] | None:
    """The first due time and the rule, when ``text`` is a repeating phrase; else None
    (it is an ordinary WHEN). A start that cannot be read raises BadDate."""
    phrase = parse_phrase(text) if text else None
    if phrase is None:
        return None
    return first_due(phrase, now=now, tz=tz, default=default), phrase.rule


def with_repeat_note(card: Card, rule: Recurrence) -> Card:
    note = Note(f":repeat: Repeats {rule.describe()}; the next one is set when this one is done.")
    return dataclasses.replace(card, blocks=(*card.blocks, note))


async def spawn_next(
    uow: UnitOfWork,
    task: Task,
    card: Card,
    *,
    by: str,
    surface: Surface,
    now: datetime,
    default_tz: str,
) -> Card:
    """The next occurrence of a repeating task just done; ``card`` gains a line saying when."""
    rule = parse_rule(task.recurrence or "")
    if rule is None or task.id is None:
        return card
    assignee = await uow.users.get(task.assignee_slack_user_id)
    tz = zone(assignee.timezone if assignee else None, default_tz)
    due = rule.next_after(task.due_at, now=now, tz=tz)
    spawned = await uow.tasks.add(
        dataclasses.replace(
            task,
            due_at=due,
            status=TaskStatus.OPEN,
            completed_at=None,
            created_at=now,
            id=None,
        )
    )
    await uow.audit.add(
        AuditEntry(
            actor=by,
            surface=surface,
            action="task.recurred",
            entity_type="task",
            entity_id=str(spawned.id),
            details={
                "previous_task": task.id,
                "recurrence": rule.canonical,
                "due_at": due.isoformat(),
                "assignee": task.assignee_slack_user_id,
                "client_id": task.client_id,
            },
            at=now,
        )
    )
    note = Note(f":repeat: Next one ({rule.describe()}) is due {format_when(due, tz, now=now)}.")
    return dataclasses.replace(card, blocks=(*card.blocks, note))
