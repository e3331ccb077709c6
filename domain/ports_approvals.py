"""What other features need from quote approvals: the quotes waiting on a user.

The digest (Schedulers) and the App Home show the quotes waiting on a user's decision,
each with **Approve** / **Reject**; the Approvals service owns what those blocks say and
the values their buttons carry, so both show exactly what ``/crm quotes`` shows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from domain.cards import Block, Card
from domain.model import Quote, Surface
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


class QuoteArrivals(Protocol):
    """Starts a quote's approval when it arrives or its terms change (the ERP's ``PUT``
    and ``crmbot import quotes``), in the caller's unit of work."""

    async def on_quote_changed(
        self,
        uow: UnitOfWork,
        quote: Quote,
        *,
        previous: Quote | None,
        restarted: bool,
        now: datetime,
        surface: Surface = ...,
    ) -> None: ...

    async def quotes_imported(
        self,
        uow: UnitOfWork,
        quotes: Sequence[Quote],
        *,
        before: Mapping[str, Quote | None],
        now: datetime,
    ) -> int:
        """New quotes start their approval; re-priced ones restart it; how many started."""
        ...


class QuotesWaitingCard(Protocol):
    """``/crm quotes``: the quotes waiting on the user, with Approve / Reject and boxes to
    tick several and approve them in one go."""

    async def waiting_card(self, uow: UnitOfWork, slack_user_id: str, *, now: datetime) -> Card: ...
