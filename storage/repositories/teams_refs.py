"""Teams conversation references: the personal chat of each user who wrote to the bot."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from domain.model import User
from domain.teams import DEFAULT_PLATFORM, TeamsConversationRef
from storage.models import TeamsConversationRow, UserPreferencesRow, UserRow
from storage.repositories.people import SqlUserRepository


class SqlTeamsReferences:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def remember(self, user_id: int, ref: TeamsConversationRef, *, now: datetime) -> bool:
        before = await self.session.get(TeamsConversationRow, user_id)
        if before is not None and _same(before, ref):
            return False
        values: dict[str, Any] = {
            "aad_object_id": ref.aad_object_id,
            "tenant_id": ref.tenant_id,
            "conversation_id": ref.conversation_id,
            "service_url": ref.service_url,
            "bot_id": ref.bot_id,
            "reference": ref.as_reference(),
            "updated_at": now,
        }
        # two first messages at once both land: the later one replaces the earlier
        dialect = postgresql if self.session.get_bind().dialect.name == "postgresql" else sqlite
        statement = dialect.insert(TeamsConversationRow).values(user_id=user_id, **values)
        await self.session.execute(
            statement.on_conflict_do_update(index_elements=["user_id"], set_=values)
        )
        if before is not None:
            await self.session.refresh(before)
        return True

    async def get(self, slack_user_id: str) -> TeamsConversationRef | None:
        reference = (
            await self.session.execute(
                select(TeamsConversationRow.reference)
                .join(UserRow, UserRow.id == TeamsConversationRow.user_id)
                .where(UserRow.slack_user_id == slack_user_id)
            )
        ).scalar_one_or_none()
        return None if reference is None else TeamsConversationRef.from_reference(reference)

    async def route(self, slack_user_id: str) -> tuple[str, TeamsConversationRef | None]:
        found = (
            await self.session.execute(
                select(UserPreferencesRow.platform, TeamsConversationRow.reference)
                .select_from(UserRow)
                .outerjoin(UserPreferencesRow, UserPreferencesRow.user_id == UserRow.id)
                .outerjoin(TeamsConversationRow, TeamsConversationRow.user_id == UserRow.id)
                .where(UserRow.slack_user_id == slack_user_id)
            )
        ).first()
        if found is None:
            return DEFAULT_PLATFORM, None
        platform, reference = found
        ref = None if reference is None else TeamsConversationRef.from_reference(reference)
        return platform or DEFAULT_PLATFORM, ref

    async def match_user(self, *, aad_object_id: str | None, email: str | None) -> User | None:
        users = SqlUserRepository(self.session)
        if aad_object_id:
            found = (
                await self.session.execute(
                    select(UserRow.slack_user_id).where(UserRow.teams_user_id == aad_object_id)
                )
            ).scalars()
            ids = list(found)
            if len(ids) == 1:
                return await users.get(ids[0])
        if not email or not email.strip():
            return None
        by_email = await self.session.execute(
            select(UserRow.slack_user_id).where(func.lower(UserRow.email) == email.strip().lower())
        )
        ids = list(by_email.scalars())
        return await users.get(ids[0]) if len(ids) == 1 else None


def _same(row: TeamsConversationRow, ref: TeamsConversationRef) -> bool:
    return bool(row.reference == ref.as_reference())
