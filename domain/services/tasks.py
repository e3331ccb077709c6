"""Creating, listing and completing tasks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.cards import Card, info_card
from domain.chat import replies
from domain.chat.grammar import CreateTask
from domain.dates import next_working_day_9am, parse_when
from domain.errors import CrmError, NotAllowed
from domain.model import AuditEntry, Client, Surface, Task
from domain.ports import UnitOfWork
from domain.ports_api import Webhooks
from domain.ports_chat import Notifier
from domain.services import recurring
from domain.services.identity import Actor
from domain.text import safe
from domain.webhooks import NO_WEBHOOKS, task_completed

TITLE_LIMIT = 1000


class TaskNotFound(CrmError, LookupError):
    def __init__(self) -> None:
        super().__init__("That task no longer exists.")


async def create(
    uow: UnitOfWork,
    me: Actor,
    assignee: Actor,
    command: CreateTask,
    *,
    client: Client | None,
    notifier: Notifier,
    surface: Surface,
    now: datetime,
) -> Card:
    """Due WHEN in the asker's words and zone; by default the assignee's next working
    day at 09:00. The assignee is told when it is someone else."""
    default = next_working_day_9am(now=now, tz=assignee.tz)
    repeat = recurring.read_when(command.when, now=now, tz=me.tz, default=default)
    if repeat is not None:
        due = repeat[0]
    elif command.when:
        due = parse_when(command.when, now=now, tz=me.tz, purpose="task")
    else:
        due = default
    card = await _add(
        uow,
        me,
        assignee,
        title=command.title,
        due=due,
        client=client,
        notifier=notifier,
        surface=surface,
        now=now,
        recurrence=repeat[1].canonical if repeat else None,
    )
    return recurring.with_repeat_note(card, repeat[1]) if repeat else card


async def create_suggested(
    uow: UnitOfWork, me: Actor, kept: dict[str, Any], *, surface: Surface, now: datetime
) -> Card:
    client = await uow.clients.get_by_id(int(kept["client_id"]))
    due = datetime.fromisoformat(kept["due_at"])
    if due < now:
        due = next_working_day_9am(now=now, tz=me.tz)
    return await _add(
        uow,
        me,
        me,
        title=kept["title"],
        due=due,
        client=client,
        notifier=None,
        surface=surface,
        now=now,
    )


async def _add(
    uow: UnitOfWork,
    me: Actor,
    assignee: Actor,
    *,
    title: str,
    due: datetime,
    client: Client | None,
    notifier: Notifier | None,
    surface: Surface,
    now: datetime,
    recurrence: str | None = None,
) -> Card:
    task = await uow.tasks.add(
        Task(
            title=title[:TITLE_LIMIT],
            recurrence=recurrence,
            assignee_slack_user_id=assignee.slack_user_id,
            due_at=due,
            client_id=client.id if client else None,
            created_by_slack_user_id=me.slack_user_id,
            created_at=now,
        )
    )
    await uow.audit.add(
        AuditEntry(
            actor=me.slack_user_id,
            surface=surface,
            action="task.created",
            entity_type="task",
            entity_id=str(task.id),
            details={
                "client_external_id": client.external_id if client else None,
                "assignee": assignee.slack_user_id,
                "due_at": due.isoformat(),
                "recurrence": recurrence,
            },
            at=now,
        )
    )
    if notifier is not None and assignee.slack_user_id != me.slack_user_id:
        await notifier.notify(
            uow,
            to=assignee.slack_user_id,
            card=replies.task_assigned(task, client, tz=assignee.tz, now=now),
            key=f"task-assigned:{task.id}",
            now=now,
        )
    return replies.task_created(task, client, tz=me.tz, now=now)


async def list_open(uow: UnitOfWork, me: Actor, *, now: datetime) -> Card:
    """Overdue first (they are due earliest), each with Done."""
    open_tasks = await uow.tasks.open_for(me.slack_user_id)
    ids = {t.client_id for t in open_tasks if t.client_id is not None}
    clients = {cid: c for cid in ids if (c := await uow.clients.get_by_id(cid)) is not None}
    return replies.task_list(open_tasks, clients, tz=me.tz, now=now)


async def complete(
    uow: UnitOfWork,
    slack_user_id: str,
    task_id: int,
    *,
    surface: Surface,
    now: datetime,
    webhooks: Webhooks = NO_WEBHOOKS,
    default_tz: str = "UTC",
) -> Card:
    """The assignee or the creator may mark it done; a second click changes nothing.
    ``task.completed`` goes to the webhooks in the same transaction."""
    task = await uow.tasks.get(task_id)
    if task is None:
        raise TaskNotFound()
    if slack_user_id not in (task.assignee_slack_user_id, task.created_by_slack_user_id):
        raise NotAllowed("Only the person the task is for (or who set it) can mark it done.")
    if not await uow.tasks.complete(task_id, now=now):
        title = task.title
        return info_card(f"Already done: {safe(title, 300)}", summary=f"Already done: {title}")
    await uow.audit.add(
        AuditEntry(
            actor=slack_user_id,
            surface=surface,
            action="task.completed",
            entity_type="task",
            entity_id=str(task_id),
            details={
                "client_id": task.client_id,
                "before": {"status": str(task.status)},
                "after": {"status": "done", "completed_at": now.isoformat()},
            },
            at=now,
        )
    )
    client = await uow.clients.get_by_id(task.client_id) if task.client_id else None
    data = task_completed(
        task, client_external_id=client.external_id if client else None, by=slack_user_id, at=now
    )
    await webhooks.emit(uow, "task.completed", data, entity=str(task_id), version=1, now=now)
    if task.recurrence:  # the next occurrence, once: the compare-and-set above let us here
        return await recurring.spawn_next(
            uow,
            task,
            replies.done(task),
            by=slack_user_id,
            surface=surface,
            now=now,
            default_tz=default_tz,
        )
    return replies.done(task)
