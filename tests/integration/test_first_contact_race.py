"""Two first commands of a user crmbot has not seen yet, at the same moment: both are
answered (the user is created once), instead of one failing on the unique key."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from bot.bootstrap import Container

NOW = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)


async def test_first_contacts_at_once_make_one_user(container: Container) -> None:
    started = asyncio.Event()

    async def first_contact(n: int) -> str:
        async with container.uow() as uow:
            if n:
                await started.wait()
            user = await uow.users.remember_profile(
                "U0NEW1", name=f"New {n}", email=None, tz="Europe/Paris", now=NOW
            )
            started.set()
            await asyncio.sleep(0.05)  # both transactions open at once where the backend allows
            await uow.commit()
            return user.slack_user_id

    assert await asyncio.gather(*(first_contact(n) for n in range(4))) == ["U0NEW1"] * 4
    async with container.uow() as uow:
        users = [u for u in await uow.users.list() if u.slack_user_id == "U0NEW1"]
    assert len(users) == 1 and users[0].timezone == "Europe/Paris"
