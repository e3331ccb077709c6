"""The first step of every lease claim (outbox rows, due reminders)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession


async def claimable_ids(session: AsyncSession, due: Select[Any]) -> list[int]:
    """The ids ``due`` selects for a claim to lease. On PostgreSQL, rows another worker is
    claiming right now are skipped (``FOR UPDATE SKIP LOCKED``); on SQLite the claim's own
    conditional UPDATE is what skips a row leased meanwhile."""
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    return list((await session.execute(due)).scalars())
