"""Which bot token speaks for a workspace: its OAuth installation's, or the one token.

The installations are slack_sdk's ``AsyncSQLAlchemyInstallationStore`` on our engine
(tables made by migration 0010). A rotating token is refreshed through ``oauth.v2.access``
at ``SLACK_API_URL`` before it is used, so a scheduled send needs no request to come first.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator
from sqlalchemy import select

from storage.models.slack_oauth import BOTS_TABLE, INSTALLATIONS_TABLE

if TYPE_CHECKING:
    from bot.bootstrap import Container

logger = logging.getLogger(__name__)

REFRESH_MINUTES = 120  # a rotating token is refreshed when it has less than this left


def installation_store(container: Container) -> AsyncSQLAlchemyInstallationStore:
    settings = container.settings
    return AsyncSQLAlchemyInstallationStore(
        client_id=settings.slack_client_id or "",
        engine=container.engine,
        bots_table_name=BOTS_TABLE,
        installations_table_name=INSTALLATIONS_TABLE,
    )


class WorkspaceTokens:
    """The bot token that speaks for a workspace: its installation's (OAuth), refreshed
    when it is about to expire, or the one ``SLACK_BOT_TOKEN`` for a single workspace."""

    def __init__(self, container: Container) -> None:
        settings = container.settings
        self._single = settings.slack_bot_token
        self.store = installation_store(container)
        self._rotator: AsyncTokenRotator | None = None
        if settings.slack_client_id and settings.slack_client_secret:
            client = container.slack_client(token=None)
            client.token = None
            self._rotator = AsyncTokenRotator(
                client_id=settings.slack_client_id,
                client_secret=settings.slack_client_secret,
                client=client,
            )

    async def token(self, team_id: str | None) -> str | None:
        """None when no token is known for the workspace (never installed, or uninstalled).
        A workspace not known (a user who never wrote to crmbot) is the only installed
        one, if there is only one; else SLACK_BOT_TOKEN, when set."""
        if self._rotator is None:
            return self._single
        team_id = team_id or await self._sole_team()
        if team_id is None:
            return self._single
        bot = await self.store.async_find_bot(enterprise_id=None, team_id=team_id)
        if bot is None:
            logger.warning("no installation for workspace %s", team_id)
            return None
        if bot.bot_refresh_token:
            refreshed = await self._rotator.perform_bot_token_rotation(
                bot=bot, minutes_before_expiration=REFRESH_MINUTES
            )
            if refreshed is not None:
                await self.store.async_save_bot(refreshed)
                return refreshed.bot_token
        return bot.bot_token

    async def _sole_team(self) -> str | None:
        bots = self.store.bots
        query = select(bots.c.team_id).where(bots.c.bot_token.is_not(None)).distinct().limit(2)
        async with self.store.engine.connect() as conn:
            teams = list((await conn.execute(query)).scalars())
        return teams[0] if len(teams) == 1 else None
