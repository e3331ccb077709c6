"""What approvals need from storage and from the chat platform."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from domain.approvals.model import Chain, RequestMessage
from domain.cards import Card
from domain.ports import UnitOfWork

# renders a card as the chat platform's message payload (Block Kit for Slack)
RenderCard = Callable[[Card], dict[str, Any]]


class ApprovalStore(Protocol):
    """Chains and request messages (``storage/repositories/approvals.py``)."""

    async def add_chain(self, chain: Chain) -> Chain: ...
    async def chain(self, chain_id: int) -> Chain | None: ...
    async def active_chain(self, quote_id: int) -> Chain | None: ...
    async def latest_chain(self, quote_id: int) -> Chain | None:
        """The quote's most recent round, whatever became of it."""
        ...

    async def quote_key(self, quote_id: int) -> str | None:
        """The quote's external id."""
        ...

    async def save_chain(self, chain: Chain) -> None:
        """Write back ``current``, ``state`` and the level's timestamps."""
        ...

    async def add_request(self, request: RequestMessage) -> RequestMessage: ...
    async def requests(self, chain_id: int) -> Sequence[RequestMessage]:
        """Every copy of the chain's requests, with ``channel``/``ts`` once sent."""
        ...

    async def save_request(self, request: RequestMessage) -> None: ...
    async def rewrite_unsent(self, outbox_key: str, payload: dict[str, Any]) -> bool:
        """Replace the payload of a message still queued and not being sent; True if done."""
        ...

    async def waiting_on(
        self, slack_user_id: str, *, limit: int
    ) -> tuple[Sequence[tuple[Chain, str]], int]:
        """Active chains whose current level waits on the user (with the quote's external
        id), oldest first, at most ``limit``; and how many there are in all."""
        ...

    async def orphans(self, *, limit: int) -> Sequence[str]:
        """External ids of pending quotes that never had an approval round (they arrived
        before approvals ran, or were written around the ERP hooks, as demo data is)."""
        ...

    async def pending_past(self, now: datetime, *, limit: int) -> Sequence[str]:
        """External ids of pending quotes whose ``valid_until`` is before ``now``."""
        ...

    async def overdue(self, before: datetime, *, limit: int) -> Sequence[Chain]:
        """Active chains with a level waiting since before ``before`` not yet reminded,
        or reminded before ``before`` and not yet escalated."""
        ...

    async def unrefreshed(self, *, limit: int) -> Sequence[RequestMessage]:
        """Copies with an update kept until Slack named the message (``pending_payload``)."""
        ...

    async def open_receivables(self, client_external_id: str) -> Decimal:
        """Unpaid invoice amounts (each invoice's amount less its payments, not below 0)."""
        ...


class ApprovalsUnitOfWork(UnitOfWork, Protocol):
    approvals: ApprovalStore
