"""One approval decision in a process of its own, as the click handler makes it, for
``test_kill_points`` to kill at a crash point: ``python -m tests.integration.kill_worker
ACTOR CHAIN_ID NOW`` (settings from the environment, like ``crmbot``). Prints the card."""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime

from bot.bootstrap import build
from bot.settings import Settings
from domain.model import Decision, Surface


async def decide(actor: str, chain_id: int, now: datetime) -> str:
    container = build(Settings(), clock=lambda: now)
    try:
        card = await container.approvals.decide(
            actor, chain_id, Decision.APPROVED, surface=Surface.BUTTON
        )
        return str(card)
    finally:
        await container.close()


if __name__ == "__main__":
    actor, chain, now = sys.argv[1:4]
    print(asyncio.run(decide(actor, int(chain), datetime.fromisoformat(now))))
