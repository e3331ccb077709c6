"""Apply Alembic migrations programmatically (``crmbot db upgrade`` and ``serve``)."""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    logging.getLogger("alembic").setLevel(max(logging.WARNING, logging.getLogger().level))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate to ``revision``. Alembic's env runs its own event loop, so it gets a
    thread of its own: this works whether or not the caller is inside a loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(command.upgrade, alembic_config(url), revision).result()


async def upgrade_async(url: str, revision: str = "head") -> None:
    await asyncio.to_thread(upgrade, url, revision)
