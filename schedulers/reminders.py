"""The reminders job for ``run-job reminders`` and the ticker: one cycle at ``now``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from domain.services.reminders import remind_due

if TYPE_CHECKING:
    from bot.bootstrap import Container


async def run_reminders(container: Container, now: datetime) -> Mapping[str, int]:
    """Queue the reminders due at ``now`` in the outbox (the outbox job sends them)."""
    from bot.notifier import notifier

    return await remind_due(
        container.uow,
        notifier=notifier(),
        now=now,
        default_tz=container.settings.default_tz,
    )
