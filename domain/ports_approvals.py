"""What other features need from quote approvals: the quotes waiting on a user.

The digest (Schedulers) and the App Home show the quotes waiting on a user's decision,
each with **Approve** / **Reject**; the Approvals service owns what those blocks say and
the values their buttons carry, so both show exactly what ``/crm quotes`` shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from domain.cards import Block
from domain.ports import UnitOfWork


@dataclass(frozen=True)
class WaitingSection:
    """Blocks for at most ``limit`` quotes waiting on the user, and how many wait in all."""

    blocks: tuple[Block, ...] = field(default_factory=tuple)
    total: int = 0


class WaitingApprovals(Protocol):
    async def waiting_on(
        self, uow: UnitOfWork, slack_user_id: str, *, now: datetime, limit: int
    ) -> WaitingSection:
        """Quotes whose current level the user may decide now, oldest first."""
        ...
