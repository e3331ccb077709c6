"""Activities and tasks."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from domain.model import Activity, ActivityType, Surface, Task, TaskOrigin, TaskStatus
from storage.models import ActivityRow, TaskRow, UserRow
from storage.repositories._bulk import chunks, id_map


def activity_entity(row: ActivityRow, author: str | None) -> Activity:
    return Activity(
        client_id=row.client_id,
        type=ActivityType(row.type),
        notes=row.notes,
        occurred_at=row.occurred_at,
        author_slack_user_id=author,
        source=Surface(row.source),
        permalink=row.permalink,
        source_ref=row.source_ref,
        created_at=row.created_at,
        deleted_at=row.deleted_at,
        id=row.id,
    )


def task_entity(row: TaskRow, assignee: str, creator: str | None) -> Task:
    return Task(
        title=row.title,
        assignee_slack_user_id=assignee,
        due_at=row.due_at,
        client_id=row.client_id,
        created_by_slack_user_id=creator,
        status=TaskStatus(row.status),
        recurrence=row.recurrence,
        origin=TaskOrigin(row.origin),
        rule=row.rule,
        completed_at=row.completed_at,
        created_at=row.created_at,
        id=row.id,
    )


# built once, not per query: aliased() is costly on a busy loop (bench/bench_ack.py)
_ASSIGNEE, _CREATOR = aliased(UserRow), aliased(UserRow)


def task_query() -> tuple[Any, Any]:
    """Tasks with their assignee's and creator's Slack ids; also the assignee alias."""
    assignee, creator = _ASSIGNEE, _CREATOR
    return (
        select(TaskRow, assignee.slack_user_id, creator.slack_user_id)
        .join(assignee, assignee.id == TaskRow.assignee_id)
        .outerjoin(creator, creator.id == TaskRow.created_by_id)
    ), assignee


async def _user_id(session: AsyncSession, slack_user_id: str | None) -> int | None:
    if not slack_user_id:
        return None
    return (await id_map(session, UserRow, "slack_user_id", [slack_user_id])).get(slack_user_id)


class SqlActivityRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, activity: Activity) -> Activity:
        row = ActivityRow(
            client_id=activity.client_id,
            type=str(activity.type),
            notes=activity.notes,
            occurred_at=activity.occurred_at,
            author_id=await _user_id(self.session, activity.author_slack_user_id),
            source=str(activity.source),
            permalink=activity.permalink,
            source_ref=activity.source_ref,
            created_at=activity.created_at or activity.occurred_at,
        )
        self.session.add(row)
        await self.session.flush()
        activity.id = row.id
        return activity

    async def add_many(self, activities: Sequence[Activity]) -> int:
        return await add_activities(self.session, activities)

    async def undo(self, activity_id: int, *, now: datetime) -> bool:
        result = await self.session.execute(
            update(ActivityRow)
            .where(ActivityRow.id == activity_id, ActivityRow.deleted_at.is_(None))
            .values(deleted_at=now)
        )
        return bool(getattr(result, "rowcount", 0))

    async def get(self, activity_id: int) -> Activity | None:
        found = (
            await self.session.execute(
                select(ActivityRow, UserRow.slack_user_id)
                .outerjoin(UserRow, UserRow.id == ActivityRow.author_id)
                .where(ActivityRow.id == activity_id)
            )
        ).first()
        if not found:
            return None
        return activity_entity(*found)

    async def from_source(self, source_ref: str) -> Sequence[Activity]:
        rows = await self.session.execute(
            select(ActivityRow, UserRow.slack_user_id)
            .outerjoin(UserRow, UserRow.id == ActivityRow.author_id)
            .where(ActivityRow.source_ref == source_ref, ActivityRow.deleted_at.is_(None))
            .order_by(ActivityRow.created_at, ActivityRow.id)
        )
        return [activity_entity(*r) for r in rows]


class SqlTaskRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, task: Task) -> Task:
        assignee = await _user_id(self.session, task.assignee_slack_user_id)
        if assignee is None:
            raise LookupError(f"unknown assignee {task.assignee_slack_user_id}")
        row = TaskRow(
            client_id=task.client_id,
            assignee_id=assignee,
            created_by_id=await _user_id(self.session, task.created_by_slack_user_id),
            title=task.title,
            due_at=task.due_at,
            remind_at=task.due_at if task.status == TaskStatus.OPEN else None,
            status=str(task.status),
            recurrence=task.recurrence,
            origin=str(task.origin),
            rule=task.rule,
            completed_at=task.completed_at,
            created_at=task.created_at or task.due_at,
        )
        self.session.add(row)
        await self.session.flush()
        task.id = row.id
        return task

    async def complete(self, task_id: int, *, now: datetime) -> bool:
        result = await self.session.execute(
            update(TaskRow)
            .where(TaskRow.id == task_id, TaskRow.status == "open")
            .values(status="done", completed_at=now, remind_at=None, version=TaskRow.version + 1)
        )
        return bool(getattr(result, "rowcount", 0))

    async def add_many(self, tasks: Sequence[Task]) -> int:
        return await add_tasks(self.session, tasks)

    async def get(self, task_id: int) -> Task | None:
        query, _ = task_query()
        found = (await self.session.execute(query.where(TaskRow.id == task_id))).first()
        return task_entity(*found) if found else None

    async def open_for(self, slack_user_id: str) -> Sequence[Task]:
        query, assignee = task_query()
        rows = await self.session.execute(
            query.where(assignee.slack_user_id == slack_user_id, TaskRow.status == "open").order_by(
                TaskRow.due_at
            )
        )
        return [task_entity(*r) for r in rows]


async def _user_ids(session: AsyncSession, slack_user_ids: Iterable[str | None]) -> dict[str, int]:
    return await id_map(session, UserRow, "slack_user_id", {u for u in slack_user_ids if u})


async def add_activities(session: AsyncSession, activities: Sequence[Activity]) -> int:
    """One ``executemany`` for many activities (imports, demo data)."""
    users = await _user_ids(session, (a.author_slack_user_id for a in activities))
    rows = [
        {
            "client_id": a.client_id,
            "type": str(a.type),
            "notes": a.notes,
            "occurred_at": a.occurred_at,
            "author_id": users.get(a.author_slack_user_id or ""),
            "source": str(a.source),
            "permalink": a.permalink,
            "source_ref": a.source_ref,
            "created_at": a.created_at or a.occurred_at,
        }
        for a in activities
    ]
    for part in chunks(rows, 2000):
        await session.execute(insert(ActivityRow), list(part))
    return len(rows)


async def add_tasks(session: AsyncSession, tasks: Sequence[Task]) -> int:
    users = await _user_ids(
        session,
        [t.assignee_slack_user_id for t in tasks] + [t.created_by_slack_user_id for t in tasks],
    )
    rows = [
        {
            "client_id": t.client_id,
            "assignee_id": users[t.assignee_slack_user_id],
            "created_by_id": users.get(t.created_by_slack_user_id or ""),
            "title": t.title,
            "due_at": t.due_at,
            "remind_at": t.due_at if t.status == TaskStatus.OPEN else None,
            "status": str(t.status),
            "recurrence": t.recurrence,
            "origin": str(t.origin),
            "rule": t.rule,
            "completed_at": t.completed_at,
            "created_at": t.created_at or t.due_at,
        }
        for t in tasks
    ]
    for part in chunks(rows, 2000):
        await session.execute(insert(TaskRow), list(part))
    return len(rows)
