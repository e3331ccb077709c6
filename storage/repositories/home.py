"""The ``HomeReads`` port on SQLAlchemy: an owner's clients by their latest kept scores,
and a manager's team counts. Each read goes through ``clients.owner_id`` and the
``(client_id, as_of)`` key of ``client_scores``: bounded by what one person owns."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.ports_home import ClientScore, ScoredPage, TeamMember
from storage.models import ClientRow, ClientScoreRow, TaskRow, UserRow
from storage.repositories.clients import client_entity
from storage.repositories.people import SqlUserRepository
from storage.repositories.scores import score_record


class SqlHomeReads:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _latest_day(self, on_or_before: date) -> date | None:
        found = await self.session.execute(
            select(func.max(ClientScoreRow.as_of)).where(ClientScoreRow.as_of <= on_or_before)
        )
        day: date | None = found.scalar()
        return day

    async def _page(
        self, owner: str, on_or_before: date, where: Any, order: Any, limit: int
    ) -> ScoredPage:
        day = await self._latest_day(on_or_before)
        if day is None:
            return ScoredPage()
        owner_id = select(UserRow.id).where(UserRow.slack_user_id == owner).scalar_subquery()
        query = (
            select(ClientScoreRow, ClientRow, func.count().over())  # the total, in one pass
            .join(ClientRow, ClientRow.id == ClientScoreRow.client_id)
            .where(ClientRow.owner_id == owner_id, ClientScoreRow.as_of == day, *where)
            .order_by(*order, ClientRow.name)
            .limit(limit)
        )
        rows = (await self.session.execute(query)).all()
        total = int(rows[0][2]) if rows else 0
        items = tuple(
            ClientScore(client_entity(client, owner), score_record(score, client.external_id))
            for score, client, _ in rows
        )
        return ScoredPage(items, int(total))

    async def at_risk(
        self, owner: str, *, on_or_before: date, min_risk: int, limit: int
    ) -> ScoredPage:
        return await self._page(
            owner,
            on_or_before,
            [ClientScoreRow.risk_score >= min_risk],
            [ClientScoreRow.risk_score.desc()],
            limit,
        )

    async def reorder_due(
        self, owner: str, *, on_or_before: date, start: date, end: date, limit: int
    ) -> ScoredPage:
        expected = ClientScoreRow.next_order_expected
        return await self._page(
            owner, on_or_before, [expected >= start, expected <= end], [expected], limit
        )

    async def team(
        self, manager: str, *, now: datetime, on_or_before: date, min_risk: int
    ) -> Sequence[TeamMember]:
        boss = select(UserRow.id).where(UserRow.slack_user_id == manager).scalar_subquery()
        reports = (
            (
                await self.session.execute(
                    select(UserRow).where(UserRow.manager_id == boss).order_by(UserRow.name)
                )
            )
            .scalars()
            .all()
        )
        ids = [r.id for r in reports]
        if not ids:
            return []
        tasks = await self._task_counts(ids, now)
        risky = await self._risk_counts(ids, on_or_before, min_risk)
        return [
            TeamMember(
                SqlUserRepository._entity(r, manager),
                open_tasks=tasks.get(r.id, (0, 0))[0],
                overdue_tasks=tasks.get(r.id, (0, 0))[1],
                at_risk=risky.get(r.id, 0),
            )
            for r in reports
        ]

    async def _task_counts(self, ids: list[int], now: datetime) -> dict[int, tuple[int, int]]:
        late = func.sum(case((TaskRow.due_at < now, 1), else_=0))
        rows = await self.session.execute(
            select(TaskRow.assignee_id, func.count(), late)
            .where(TaskRow.assignee_id.in_(ids), TaskRow.status == "open")
            .group_by(TaskRow.assignee_id)
        )
        return {user: (int(total), int(overdue or 0)) for user, total, overdue in rows}

    async def _risk_counts(
        self, ids: list[int], on_or_before: date, min_risk: int
    ) -> dict[int, int]:
        day = await self._latest_day(on_or_before)
        if day is None:
            return {}
        rows = await self.session.execute(
            select(ClientRow.owner_id, func.count())
            .join(ClientScoreRow, ClientScoreRow.client_id == ClientRow.id)
            .where(
                ClientRow.owner_id.in_(ids),
                ClientScoreRow.as_of == day,
                ClientScoreRow.risk_score >= min_risk,
            )
            .group_by(ClientRow.owner_id)
        )
        return {owner: int(count) for owner, count in rows if owner is not None}
