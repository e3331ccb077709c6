"""Reminders on the task rows: claim the due ones with a lease, settle them, snooze."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from domain.model import UserPreferences
from domain.ports_reminders import DueReminder
from storage.models import ClientRow, TaskRow, UserPreferencesRow, UserRow
from storage.repositories._claims import claimable_ids
from storage.repositories.preferences import SqlPreferencesRepository
from storage.repositories.work import task_entity


def _free(now: datetime) -> Any:
    return or_(TaskRow.lease_until.is_(None), TaskRow.lease_until < now)


class SqlReminderStore:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim_due(
        self, *, now: datetime, limit: int, lease: timedelta
    ) -> Sequence[DueReminder]:
        due = (
            select(TaskRow.id)
            .where(TaskRow.status == "open", TaskRow.remind_at <= now, _free(now))
            .order_by(TaskRow.remind_at, TaskRow.id)
            .limit(limit)
        )
        ids = await claimable_ids(self.session, due)
        if not ids:
            return []
        until = now + lease
        # on SQLite this conditional UPDATE is the claim: a row claimed meanwhile is skipped
        await self.session.execute(
            update(TaskRow)
            .where(
                TaskRow.id.in_(ids),
                TaskRow.status == "open",
                TaskRow.remind_at <= now,
                _free(now),
            )
            .values(lease_until=until)
        )
        assignee, creator = aliased(UserRow), aliased(UserRow)
        rows = await self.session.execute(
            select(
                TaskRow,
                assignee.slack_user_id,
                creator.slack_user_id,
                assignee.slack_timezone,
                assignee.timezone,
                ClientRow.name,
            )
            .join(assignee, assignee.id == TaskRow.assignee_id)
            .outerjoin(creator, creator.id == TaskRow.created_by_id)
            .outerjoin(ClientRow, ClientRow.id == TaskRow.client_id)
            .where(TaskRow.id.in_(ids), TaskRow.lease_until == until)
            .order_by(TaskRow.remind_at, TaskRow.id)
        )
        return [
            DueReminder(
                task=task_entity(row, who, by),
                remind_at=_aware(row.remind_at),
                assignee_tz=slack_tz or tz,
                client_name=client,
            )
            for row, who, by, slack_tz, tz, client in rows
        ]

    async def mark_reminded(self, task_id: int, *, claimed: datetime, now: datetime) -> bool:
        return await self._settle(task_id, claimed, remind_at=None, reminded_at=now)

    async def hold(self, task_id: int, *, claimed: datetime, until: datetime) -> bool:
        return await self._settle(task_id, claimed, remind_at=until)

    async def _settle(self, task_id: int, claimed: datetime, **values: Any) -> bool:
        result = await self.session.execute(
            update(TaskRow)
            .where(TaskRow.id == task_id, TaskRow.remind_at == claimed)
            .values(lease_until=None, **values)
        )
        return bool(getattr(result, "rowcount", 0))

    async def remind_at(self, task_id: int) -> datetime | None:
        found = await self.session.execute(
            select(TaskRow.remind_at).where(TaskRow.id == task_id, TaskRow.status == "open")
        )
        return found.scalar_one_or_none()

    async def snooze(self, task_id: int, *, until: datetime) -> bool:
        result = await self.session.execute(
            update(TaskRow)
            .where(TaskRow.id == task_id, TaskRow.status == "open")
            .values(remind_at=until, lease_until=None, version=TaskRow.version + 1)
        )
        return bool(getattr(result, "rowcount", 0))

    async def saved_preferences(self, slack_user_id: str) -> UserPreferences | None:
        saved = await self.session.execute(
            select(UserPreferencesRow.user_id)
            .join(UserRow, UserRow.id == UserPreferencesRow.user_id)
            .where(UserRow.slack_user_id == slack_user_id)
        )
        if saved.scalar_one_or_none() is None:
            return None
        return await SqlPreferencesRepository(self.session).get(slack_user_id)


def _aware(value: datetime | None) -> datetime:
    assert value is not None, "a claimed row has a reminder time"
    return value
