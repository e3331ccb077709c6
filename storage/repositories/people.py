"""Users: Slack identities with a role, a manager and a time zone."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from domain.model import Role, User
from domain.ports import UpsertResult
from storage.models import UserRow
from storage.repositories._bulk import chunks, id_map, upsert

# built once: a new aliased() per query costs ~2 ms of CPU under load (bench/bench_ack.py)
_MANAGER = aliased(UserRow)


class SqlUserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _query(self) -> Any:
        manager = _MANAGER
        return select(UserRow, manager.slack_user_id).outerjoin(
            manager, UserRow.manager_id == manager.id
        )

    @staticmethod
    def _entity(row: UserRow, manager_slack_id: str | None) -> User:
        return User(
            slack_user_id=row.slack_user_id,
            name=row.name,
            email=row.email,
            role=Role(row.role),
            manager_slack_user_id=manager_slack_id,
            timezone=row.slack_timezone or row.timezone,
            teams_user_id=row.teams_user_id,
            profile_checked_at=row.slack_checked_at,
            id=row.id,
        )

    async def get(self, slack_user_id: str) -> User | None:
        result = await self.session.execute(
            self._query().where(UserRow.slack_user_id == slack_user_id)
        )
        found = result.first()
        return self._entity(found[0], found[1]) if found else None

    async def list(self) -> Sequence[User]:
        result = await self.session.execute(self._query().order_by(UserRow.name))
        return [self._entity(row, mgr) for row, mgr in result]

    async def remember_profile(
        self,
        slack_user_id: str,
        *,
        name: str,
        email: str | None,
        tz: str | None,
        now: datetime,
        team_id: str | None = None,
    ) -> User:
        # two first commands of a new user at once must both find one row: insert unless
        # present (waiting on PostgreSQL for the other insert to commit), then read it
        dialect = postgresql if self.session.get_bind().dialect.name == "postgresql" else sqlite
        await self.session.execute(
            dialect.insert(UserRow)
            .values(
                slack_user_id=slack_user_id,
                name=name[:200],
                email=email,
                role="rep",
                created_at=now,
                updated_at=now,
            )
            .on_conflict_do_nothing(index_elements=["slack_user_id"])
        )
        row = (
            await self.session.execute(
                select(UserRow).where(UserRow.slack_user_id == slack_user_id)
            )
        ).scalar_one()
        row.slack_timezone, row.slack_checked_at = tz, now
        if team_id:
            row.slack_team_id = team_id
        await self.session.flush()
        found = await self.get(slack_user_id)
        assert found is not None
        return found

    async def _teams_ids(self, slack_user_ids: Sequence[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for part in chunks(slack_user_ids):
            rows = await self.session.execute(
                select(UserRow.slack_user_id, UserRow.teams_user_id).where(
                    UserRow.slack_user_id.in_(part), UserRow.teams_user_id.is_not(None)
                )
            )
            found.update({slack_id: teams_id for slack_id, teams_id in rows if teams_id})
        return found

    async def existing_ids(self, slack_user_ids: Iterable[str]) -> set[str]:
        return set(await id_map(self.session, UserRow, "slack_user_id", slack_user_ids))

    async def upsert_many(self, users: Sequence[User]) -> UpsertResult:
        now = datetime.now(UTC)
        teams = await self._teams_ids([u.slack_user_id for u in users if not u.teams_user_id])
        base = [
            {
                "slack_user_id": u.slack_user_id,
                "name": u.name,
                "email": u.email,
                "role": str(u.role),
                "timezone": u.timezone,
                # an empty teams_user_id cell keeps the stored one: an import never erases it
                "teams_user_id": u.teams_user_id or teams.get(u.slack_user_id),
            }
            for u in users
        ]
        known = await self.existing_ids(u.slack_user_id for u in users)
        stamps = {"created_at": now, "updated_at": now}
        created = await upsert(
            self.session,
            UserRow,
            "slack_user_id",
            [r for r in base if r["slack_user_id"] not in known],
            on_insert=stamps,
        )
        # managers may be rows of this same batch: link them once every row exists
        ids = await id_map(
            self.session,
            UserRow,
            "slack_user_id",
            [u.manager_slack_user_id for u in users if u.manager_slack_user_id],
        )
        full = [
            {**r, "manager_id": ids.get(u.manager_slack_user_id or "")}
            for r, u in zip(base, users, strict=True)
        ]
        await upsert(
            self.session,
            UserRow,
            "slack_user_id",
            [r for r in full if r["slack_user_id"] not in known],
        )
        changed = await upsert(
            self.session,
            UserRow,
            "slack_user_id",
            [r for r in full if r["slack_user_id"] in known],
            on_update={"updated_at": now},
        )
        return UpsertResult(
            created.created, changed.updated, changed.unchanged, created.rows + changed.rows
        )
