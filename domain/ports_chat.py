"""Ports the chat commands need beyond plain repositories: search and client snapshots."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from domain.cards import Card
from domain.model import Activity, Client, Quote, Task

if TYPE_CHECKING:
    from domain.ports import UnitOfWork


@dataclass(frozen=True)
class ClientMatch:
    client: Client
    score: float  # 0–1, higher is closer


@dataclass(frozen=True)
class NoteMatch:
    activity: Activity
    client: Client
    snippet: str  # plain text around the match, not escaped


class ClientSearch(Protocol):
    """Finding clients by name and notes by text; indexed, never a scan of every row."""

    async def by_name(self, name_key: str) -> Sequence[Client]:
        """Clients whose casefolded, space-normalised name equals ``name_key``."""
        ...

    async def by_prefix(self, prefix_key: str, *, limit: int) -> Sequence[Client]:
        """Clients whose normalised name starts with ``prefix_key``, shortest names first."""
        ...

    async def similar(self, text: str, *, limit: int) -> Sequence[ClientMatch]:
        """The closest names (trigram or token similarity), best first; may be empty."""
        ...

    async def find_clients(self, text: str, *, limit: int) -> Sequence[ClientMatch]:
        """Clients matching ``text`` by name, external id, email or tag, best first."""
        ...

    async def find_notes(self, text: str, *, limit: int) -> Sequence[NoteMatch]:
        """Logged activities (not undone) whose notes match ``text``, best first."""
        ...


@dataclass(frozen=True)
class OrderLine:
    ordered_at: datetime
    amount: Decimal
    cost: Decimal | None = None


@dataclass(frozen=True)
class InvoiceLine:
    issued_at: datetime
    due_at: datetime
    amount: Decimal
    paid: Decimal  # paid on or before the snapshot's moment
    last_paid_at: datetime | None = None


@dataclass
class ClientSnapshot:
    """Everything the health card shows about one client, as of one moment."""

    client: Client
    owner_name: str | None
    orders: list[OrderLine] = field(default_factory=list)
    invoices: list[InvoiceLine] = field(default_factory=list)
    last_activity: Activity | None = None
    open_tasks: list[Task] = field(default_factory=list)
    pending_quotes: list[Quote] = field(default_factory=list)


class ClientSnapshots(Protocol):
    async def load(self, client_id: int, *, now: datetime) -> ClientSnapshot | None:
        """The client's data dated on or before ``now``; None for an unknown id."""
        ...


class Notifier(Protocol):
    """Tells a user something by direct message, through the outbox, in the caller's
    transaction: sent once, after commit, even if the process stops in between."""

    async def notify(
        self, uow: UnitOfWork, *, to: str, card: Card, key: str, now: datetime
    ) -> bool: ...


class PendingActions(Protocol):
    """Server-side state behind a button: the button carries only a token, and the
    action runs once, for the user it was offered to."""

    async def put(
        self, *, user: str, kind: str, payload: dict[str, Any], now: datetime, ttl: timedelta
    ) -> str: ...

    async def peek(self, token: str, *, user: str, now: datetime) -> dict[str, Any] | None:
        """The payload if the token is the user's, unused and unexpired."""
        ...

    async def use(self, token: str, *, user: str, now: datetime) -> dict[str, Any] | None:
        """Compare-and-set: the payload the first time, None on every later use."""
        ...

    async def purge_expired(self, *, before: datetime) -> int:
        """Delete the actions that expired before ``before`` (used or not); returns how many."""
        ...
