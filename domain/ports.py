"""Ports: what the domain needs from storage, as Protocols.

``storage/`` implements them on SQLAlchemy; ``tests/fakes.py`` implements them in
memory. One contract test (tests/integration/test_repository_contract.py) runs
against both so the fake cannot drift.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Protocol, Self

from domain.model import (
    Activity,
    ApprovalDecision,
    AuditEntry,
    Client,
    Invoice,
    Order,
    OutboxMessage,
    Payment,
    Quote,
    QuoteStatus,
    Task,
    User,
    UserPreferences,
)
from domain.ports_chat import ClientSearch, ClientSnapshots, PendingActions

if TYPE_CHECKING:  # numpy-backed types: name them without importing them
    from domain.ports_alerts import AutoTaskStore, DigestStore, RiskAlertStore
    from domain.ports_home import HomeReads
    from domain.ports_scores import ScoreStore


@dataclass(frozen=True)
class RowChange:
    """One row an upsert wrote: its natural key and, for an update, the stored values
    (by column or field name) that differed, as they were before. ``before`` is None
    for a created row. The import's per-row audit is built from these."""

    key: str
    before: Mapping[str, object] | None = None


@dataclass(frozen=True)
class UpsertResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # the created and updated rows, for the audit; the counts alone say what happened
    rows: tuple[RowChange, ...] = field(default=(), compare=False)

    def __add__(self, other: UpsertResult) -> UpsertResult:
        return UpsertResult(
            self.created + other.created,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
            self.rows + other.rows,
        )


class UserRepository(Protocol):
    async def get(self, slack_user_id: str) -> User | None: ...
    async def list(self) -> Sequence[User]: ...
    async def existing_ids(self, slack_user_ids: Iterable[str]) -> set[str]: ...
    async def upsert_many(self, users: Sequence[User]) -> UpsertResult:
        """Insert or update by ``slack_user_id``; managers are linked after all rows exist."""
        ...

    async def remember_profile(
        self,
        slack_user_id: str,
        *,
        name: str,
        email: str | None,
        tz: str | None,
        now: datetime,
        team_id: str | None = None,
    ) -> User:
        """Cache what Slack says of a user (and the workspace they belong to, when Slack
        says); a user not yet known is added as a rep."""
        ...


class ClientRepository(Protocol):
    async def get(self, external_id: str) -> Client | None: ...
    async def get_by_id(self, client_id: int) -> Client | None: ...
    async def existing_ids(self, external_ids: Iterable[str]) -> set[str]: ...
    async def upsert_many(self, clients: Sequence[Client]) -> UpsertResult: ...
    async def ids_for(self, external_ids: Iterable[str]) -> dict[str, int]:
        """Database ids of the clients that exist, by external id."""
        ...

    async def add_placeholders(self, external_ids: Iterable[str]) -> int:
        """Create a client named after each id not yet known; returns how many."""
        ...

    async def count(self) -> int: ...


class OrderRepository(Protocol):
    async def existing_ids(self, external_ids: Iterable[str]) -> set[str]: ...
    async def upsert_many(self, orders: Sequence[Order]) -> UpsertResult: ...
    async def for_client(self, client_external_id: str) -> Sequence[Order]: ...
    async def get(self, external_id: str) -> Order | None: ...


class InvoiceRepository(Protocol):
    async def existing_ids(self, external_ids: Iterable[str]) -> set[str]: ...
    async def upsert_many(self, invoices: Sequence[Invoice]) -> UpsertResult: ...
    async def get(self, external_id: str) -> Invoice | None: ...


class PaymentRepository(Protocol):
    async def upsert_many(self, payments: Sequence[Payment]) -> UpsertResult: ...
    async def get(self, external_id: str) -> Payment | None: ...


class QuoteRepository(Protocol):
    async def get(self, external_id: str) -> Quote | None: ...
    async def upsert_many(self, quotes: Sequence[Quote]) -> UpsertResult: ...
    async def set_status(
        self, quote_id: int, status: QuoteStatus, *, level: int, expected_version: int
    ) -> bool:
        """Compare-and-set: change only if the quote is still at ``expected_version``."""
        ...

    async def add_decision(self, decision: ApprovalDecision) -> None: ...
    async def decisions(self, quote_id: int) -> Sequence[ApprovalDecision]: ...


class ActivityRepository(Protocol):
    async def add(self, activity: Activity) -> Activity: ...
    async def add_many(self, activities: Sequence[Activity]) -> int: ...
    async def get(self, activity_id: int) -> Activity | None: ...
    async def from_source(self, source_ref: str) -> Sequence[Activity]:
        """The activities (not undone) logged from one source, e.g. a chat message, oldest
        first: what tells a second log of the same message."""
        ...

    async def undo(self, activity_id: int, *, now: datetime) -> bool:
        """Compare-and-set: mark undone if it is not already; True when this call did."""
        ...


class TaskRepository(Protocol):
    async def add(self, task: Task) -> Task: ...
    async def add_many(self, tasks: Sequence[Task]) -> int: ...
    async def get(self, task_id: int) -> Task | None: ...
    async def open_for(self, slack_user_id: str) -> Sequence[Task]: ...
    async def complete(self, task_id: int, *, now: datetime) -> bool:
        """Compare-and-set: open → done; True when this call did it."""
        ...


class AuditLog(Protocol):
    """Append-only: entries are added and read, never changed."""

    async def add(self, entry: AuditEntry) -> None: ...
    async def add_many(self, entries: Sequence[AuditEntry]) -> None:
        """Add many entries at once (one statement): an import's per-row entries."""
        ...

    async def list(
        self, *, client_external_id: str | None = None, since: datetime | None = None
    ) -> Sequence[AuditEntry]: ...


class Outbox(Protocol):
    async def enqueue(self, message: OutboxMessage, *, now: datetime) -> bool:
        """Queue a message unless one with the same key exists; True when queued."""
        ...

    async def claim_due(
        self, *, now: datetime, limit: int, lease_seconds: int
    ) -> Sequence[OutboxMessage]: ...
    async def mark_sent(self, message_id: int, *, ts: str | None, now: datetime) -> None: ...
    async def mark_failed(
        self, message_id: int, *, error: str, retry_at: datetime | None, now: datetime
    ) -> None: ...


class ProcessedRequests(Protocol):
    async def first_time(self, key: str, *, now: datetime) -> bool:
        """Record ``key``; True the first time it is seen, False on every repeat."""
        ...

    async def first_times(self, keys: Sequence[str], *, now: datetime) -> set[str]:
        """Record ``keys`` in one statement; the ones seen for the first time."""
        ...

    async def purge(self, *, before: datetime) -> int:
        """Forget the keys received before ``before``; returns how many.

        Slack retries a request within minutes, so keys older than a day catch nothing
        and only grow the table.
        """
        ...


class ChannelLinks(Protocol):
    async def client_for(self, channel_id: str) -> Client | None: ...
    async def link(self, channel_id: str, client_id: int, *, by: str, now: datetime) -> None: ...
    async def unlink(self, channel_id: str) -> bool: ...


class PreferencesRepository(Protocol):
    """A user's digest, quiet-hours and alert settings (``/crm settings``)."""

    async def get(self, slack_user_id: str) -> UserPreferences:
        """The user's settings, or the defaults when none were saved."""
        ...

    async def put(self, preferences: UserPreferences, *, now: datetime) -> None:
        """Save the settings of a known user (KeyError for an unknown one)."""
        ...


class UnitOfWork(Protocol):
    """One transaction: ``async with uow:`` … ``await uow.commit()``; leaving rolls back."""

    users: UserRepository
    clients: ClientRepository
    orders: OrderRepository
    invoices: InvoiceRepository
    payments: PaymentRepository
    quotes: QuoteRepository
    activities: ActivityRepository
    tasks: TaskRepository
    preferences: PreferencesRepository
    audit: AuditLog
    outbox: Outbox
    requests: ProcessedRequests
    links: ChannelLinks
    search: ClientSearch
    snapshots: ClientSnapshots
    pending: PendingActions
    scores: ScoreStore
    home: HomeReads
    digests: DigestStore
    risk_alerts: RiskAlertStore
    auto_tasks: AutoTaskStore

    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...


class WriteNeeded(Exception):
    """A unit of work opened ``read_only`` tried to write: nothing was written; run the
    work again in a writing unit. Read-only units let SQLite readers skip the write lock."""

    def __init__(self, statement: str) -> None:
        super().__init__(f"a read-only unit of work tried to write ({statement})")


class UnitOfWorkFactory(Protocol):
    def __call__(self, *, read_only: bool = False) -> UnitOfWork: ...
