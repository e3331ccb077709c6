"""User preferences: one row per user, defaults until the user saves settings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.model import UserPreferences
from storage.models import UserPreferencesRow, UserRow


class SqlPreferencesRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, slack_user_id: str) -> UserPreferences:
        found = (
            await self.session.execute(
                select(UserPreferencesRow)
                .join(UserRow, UserRow.id == UserPreferencesRow.user_id)
                .where(UserRow.slack_user_id == slack_user_id)
            )
        ).scalar_one_or_none()
        if found is None:
            return UserPreferences(slack_user_id=slack_user_id)
        return UserPreferences(
            slack_user_id=slack_user_id,
            digest_hour=found.digest_hour,
            digest_days=list(found.digest_days),
            quiet_start=found.quiet_start,
            quiet_end=found.quiet_end,
            alerts=dict(found.alerts),
            platform=found.platform,
        )

    async def put(self, preferences: UserPreferences, *, now: datetime) -> None:
        user_id = (
            await self.session.execute(
                select(UserRow.id).where(UserRow.slack_user_id == preferences.slack_user_id)
            )
        ).scalar_one_or_none()
        if user_id is None:
            raise KeyError(f"no user {preferences.slack_user_id!r}")
        row = await self.session.get(UserPreferencesRow, user_id)
        if row is None:
            row = UserPreferencesRow(user_id=user_id)
            self.session.add(row)
        row.digest_hour = preferences.digest_hour
        row.digest_days = list(preferences.digest_days)
        row.quiet_start, row.quiet_end = preferences.quiet_start, preferences.quiet_end
        row.alerts = dict(preferences.alerts)
        row.platform = preferences.platform
        row.updated_at = now
        await self.session.flush()
