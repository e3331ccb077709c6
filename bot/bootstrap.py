"""The composition root: builds everything once and passes it down."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.metrics import Metrics
from bot.settings import Settings
from storage.db import create_engine, session_factory
from storage.migrate import upgrade_async
from storage.uow import SqlUnitOfWorkFactory

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class Container:
    """What every adapter (Slack, REST, CLI, jobs) needs, built in one place."""

    settings: Settings
    engine: AsyncEngine
    uow: SqlUnitOfWorkFactory
    clock: Clock
    metrics: Metrics = field(default_factory=Metrics)

    def slack_client(self, token: str | None = None) -> AsyncWebClient:
        """A Web API client that talks to ``SLACK_API_URL`` (Slack, or a local stand-in)."""
        return AsyncWebClient(
            token=token or self.settings.slack_bot_token,
            base_url=self.settings.slack_api_url,
        )

    async def database_ok(self) -> bool:
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            return True
        except Exception:  # any driver error means "not answering"
            logger.warning("database health check failed", exc_info=True)
            return False

    async def migrate(self) -> None:
        await upgrade_async(self.settings.database_url)

    async def close(self) -> None:
        await self.engine.dispose()


def build(settings: Settings | None = None, *, clock: Clock = system_clock) -> Container:
    settings = settings or Settings()
    engine = create_engine(settings.database_url)
    return Container(
        settings=settings,
        engine=engine,
        uow=SqlUnitOfWorkFactory(session_factory(engine)),
        clock=clock,
    )
