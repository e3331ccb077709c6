"""Keyset-paginated lists for the REST API (the ``ClientListings`` port).

Each page reads ``limit`` rows from an index position (``WHERE key > last ORDER BY key``),
never an OFFSET, so the thousandth page costs what the first does.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.model import Activity, Client, Task, TaskStatus
from domain.ports_api import TimeKey
from storage.models import ActivityRow, ClientRow, TaskRow, UserRow
from storage.repositories.clients import _with_owner, client_entity
from storage.repositories.work import activity_entity, task_entity, task_query


class SqlClientListings:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def clients_page(self, *, after: str | None, limit: int) -> Sequence[Client]:
        query = _with_owner().order_by(ClientRow.external_id).limit(limit)
        if after is not None:
            query = query.where(ClientRow.external_id > after)
        rows = await self.session.execute(query)
        return [client_entity(row, owner) for row, owner in rows]

    async def activities_page(
        self, client_id: int, *, before: TimeKey | None, limit: int
    ) -> Sequence[Activity]:
        query = (
            select(ActivityRow, UserRow.slack_user_id)
            .outerjoin(UserRow, UserRow.id == ActivityRow.author_id)
            .where(ActivityRow.client_id == client_id, ActivityRow.deleted_at.is_(None))
            .order_by(ActivityRow.occurred_at.desc(), ActivityRow.id.desc())
            .limit(limit)
        )
        if before is not None:
            at, last_id = before
            query = query.where(
                or_(
                    ActivityRow.occurred_at < at,
                    and_(ActivityRow.occurred_at == at, ActivityRow.id < last_id),
                )
            )
        rows = await self.session.execute(query)
        return [activity_entity(row, author) for row, author in rows]

    async def tasks_page(
        self,
        client_id: int,
        *,
        after: TimeKey | None,
        status: TaskStatus | None,
        limit: int,
    ) -> Sequence[Task]:
        query, _ = task_query()
        query = (
            query.where(TaskRow.client_id == client_id)
            .order_by(TaskRow.due_at, TaskRow.id)
            .limit(limit)
        )
        if status is not None:
            query = query.where(TaskRow.status == str(status))
        if after is not None:
            at, last_id = after
            query = query.where(
                or_(TaskRow.due_at > at, and_(TaskRow.due_at == at, TaskRow.id > last_id))
            )
        rows = await self.session.execute(query)
        return [task_entity(*row) for row in rows]
