"""The ``DigestStore`` port on SQLAlchemy: who gets a digest, its claims, and its reads."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from domain.model import Activity, Task, UserPreferences
from domain.ports_alerts import ClientLine, Recipient, Reorder
from storage.models import (
    ActivityRow,
    ClientRow,
    ClientScoreRow,
    DigestRunRow,
    TaskRow,
    UserPreferencesRow,
    UserRow,
)
from storage.repositories._bulk import chunks, id_map
from storage.repositories.scores import score_record
from storage.repositories.work import activity_entity, task_entity, task_query


def insert_for(session: AsyncSession, model: Any) -> Any:
    """INSERT … ON CONFLICT for the session's dialect."""
    dialect = session.get_bind().dialect.name
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(model)


async def user_id(session: AsyncSession, slack_user_id: str) -> int | None:
    found = await session.execute(select(UserRow.id).where(UserRow.slack_user_id == slack_user_id))
    value: int | None = found.scalar_one_or_none()
    return value


def client_line(row: ClientRow, owner: str | None) -> ClientLine:
    return ClientLine(row.id, row.external_id, row.name, owner)


def owner_query() -> tuple[Any, Any]:
    owner = aliased(UserRow)
    query = select(ClientRow, owner.slack_user_id).outerjoin(owner, owner.id == ClientRow.owner_id)
    return query, owner


class SqlDigestStore:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def recipients(self) -> Sequence[Recipient]:
        manager = aliased(UserRow)
        rows = await self.session.execute(
            select(UserRow, manager.slack_user_id, UserPreferencesRow)
            .outerjoin(manager, manager.id == UserRow.manager_id)
            .outerjoin(UserPreferencesRow, UserPreferencesRow.user_id == UserRow.id)
            .order_by(UserRow.id)
        )
        return [
            Recipient(
                slack_user_id=user.slack_user_id,
                name=user.name,
                timezone=user.slack_timezone or user.timezone,
                manager_slack_user_id=boss,
                preferences=_preferences(user.slack_user_id, prefs) if prefs else None,
            )
            for user, boss, prefs in rows
        ]

    async def claimed_on(self, local_dates: Iterable[date]) -> set[tuple[str, date]]:
        rows = await self.session.execute(
            select(UserRow.slack_user_id, DigestRunRow.local_date)
            .join(UserRow, UserRow.id == DigestRunRow.user_id)
            .where(DigestRunRow.local_date.in_(sorted(set(local_dates))))
        )
        return {(u, d) for u, d in rows}

    async def claim_many(self, claims: Sequence[tuple[str, date]], *, now: datetime) -> set[str]:
        ids = await id_map(self.session, UserRow, "slack_user_id", (u for u, _ in claims))
        # sorted, so that two workers claiming overlapping batches lock rows in one order
        keys = sorted({(ids[u], d) for u, d in claims if u in ids})
        rows = [{"user_id": i, "local_date": d, "claimed_at": now, "items": 0} for i, d in keys]
        if not rows:
            return set()
        made = await self.session.execute(
            insert_for(self.session, DigestRunRow)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["user_id", "local_date"])
            .returning(DigestRunRow.user_id)
        )
        mine = set(made.scalars())
        return {u for u, i in ids.items() if i in mine}

    async def record_many(self, results: Sequence[tuple[str, date, int]], *, now: datetime) -> None:
        ids = await id_map(self.session, UserRow, "slack_user_id", (u for u, _, _ in results))
        for user, day, items in results:
            await self.session.execute(
                update(DigestRunRow)
                .where(DigestRunRow.user_id == ids[user], DigestRunRow.local_date == day)
                .values(items=items, sent_at=now if items else None)
            )

    async def last_sent_many(self, slack_user_ids: Iterable[str]) -> dict[str, datetime]:
        found: dict[str, datetime] = {}
        for part in chunks(sorted(set(slack_user_ids))):
            rows = await self.session.execute(
                select(UserRow.slack_user_id, func.max(DigestRunRow.sent_at))
                .join(UserRow, UserRow.id == DigestRunRow.user_id)
                .where(UserRow.slack_user_id.in_(part), DigestRunRow.sent_at.is_not(None))
                .group_by(UserRow.slack_user_id)
            )
            found.update({u: at for u, at in rows if at is not None})
        return found

    async def activities_by_many(
        self, slack_user_ids: Iterable[str], *, since: datetime, until: datetime
    ) -> dict[str, list[tuple[Activity, ClientLine]]]:
        found: dict[str, list[tuple[Activity, ClientLine]]] = {}
        for part in chunks(sorted(set(slack_user_ids))):
            rows = await self.session.execute(
                select(ActivityRow, ClientRow, UserRow.slack_user_id)
                .join(UserRow, UserRow.id == ActivityRow.author_id)
                .join(ClientRow, ClientRow.id == ActivityRow.client_id)
                .where(UserRow.slack_user_id.in_(part), ActivityRow.deleted_at.is_(None),
                       ActivityRow.occurred_at >= since, ActivityRow.occurred_at < until)
                .order_by(ActivityRow.occurred_at, ActivityRow.id)
            )  # fmt: skip
            for a, c, author in rows:
                found.setdefault(author, []).append(
                    (activity_entity(a, author), client_line(c, None))
                )
        return found

    async def reorders_many(
        self, owners: Iterable[str], *, on_or_before: date
    ) -> dict[str, list[Reorder]]:
        found: dict[str, list[Reorder]] = {}
        for part in chunks(sorted(set(owners))):
            latest = (
                select(ClientScoreRow.client_id, func.max(ClientScoreRow.as_of).label("as_of"))
                .join(ClientRow, ClientRow.id == ClientScoreRow.client_id)
                .join(UserRow, UserRow.id == ClientRow.owner_id)
                .where(UserRow.slack_user_id.in_(part), ClientScoreRow.as_of <= on_or_before)
                .group_by(ClientScoreRow.client_id)
                .subquery()
            )
            rows = await self.session.execute(
                select(ClientScoreRow, ClientRow, UserRow.slack_user_id)
                .join(latest, (latest.c.client_id == ClientScoreRow.client_id)
                      & (latest.c.as_of == ClientScoreRow.as_of))
                .join(ClientRow, ClientRow.id == ClientScoreRow.client_id)
                .join(UserRow, UserRow.id == ClientRow.owner_id)
                .where(ClientScoreRow.days_since_last_order.is_not(None))
                .order_by(ClientRow.name, ClientRow.id)
            )  # fmt: skip
            for kept, client, owner in rows.all():
                line = client_line(client, owner)
                reorder = Reorder(line, score_record(kept, client.external_id))
                found.setdefault(owner, []).append(reorder)
        return found

    async def open_tasks_of(self, slack_user_ids: Iterable[str]) -> dict[str, list[Task]]:
        query, assignee = task_query()
        found: dict[str, list[Task]] = {}
        for part in chunks(sorted(set(slack_user_ids))):
            rows = await self.session.execute(
                query.where(assignee.slack_user_id.in_(part), TaskRow.status == "open").order_by(
                    TaskRow.due_at, TaskRow.id
                )
            )
            for row in rows:
                task = task_entity(*row)
                found.setdefault(task.assignee_slack_user_id, []).append(task)
        return found

    async def clients(self, client_ids: Iterable[int]) -> dict[int, ClientLine]:
        query, _ = owner_query()
        found: dict[int, ClientLine] = {}
        for part in chunks(sorted(set(client_ids))):
            for row, owner in await self.session.execute(query.where(ClientRow.id.in_(part))):
                found[row.id] = client_line(row, owner)
        return found


def _preferences(slack_user_id: str, row: UserPreferencesRow) -> UserPreferences:
    return UserPreferences(
        slack_user_id=slack_user_id,
        digest_hour=row.digest_hour,
        digest_days=list(row.digest_days),
        quiet_start=row.quiet_start,
        quiet_end=row.quiet_end,
        alerts=dict(row.alerts),
    )
