"""The unit of work: one session, one transaction, explicit commit."""

from __future__ import annotations

from types import TracebackType
from typing import Any, Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.approvals.ports import ApprovalStore
from domain.ports import (
    ActivityRepository,
    AuditLog,
    ChannelLinks,
    ClientRepository,
    InvoiceRepository,
    OrderRepository,
    Outbox,
    PaymentRepository,
    PreferencesRepository,
    ProcessedRequests,
    QuoteRepository,
    TaskRepository,
    UserRepository,
)
from domain.ports_alerts import AutoTaskStore, DigestStore, RiskAlertStore
from domain.ports_api import ClientListings, WebhookAttempts
from domain.ports_chat import ClientSearch, ClientSnapshots, PendingActions
from domain.ports_home import HomeReads
from domain.ports_reminders import ReminderStore
from domain.ports_scores import ScoreStore
from domain.ports_teams import TeamsReferences
from storage.db import READ_ONLY
from storage.repositories import (
    SqlActivityRepository,
    SqlAuditLog,
    SqlChannelLinks,
    SqlClientRepository,
    SqlInvoiceRepository,
    SqlOrderRepository,
    SqlOutbox,
    SqlPaymentRepository,
    SqlPendingActions,
    SqlProcessedRequests,
    SqlQuoteRepository,
    SqlTaskRepository,
    SqlUserRepository,
)
from storage.repositories.alerts import SqlRiskAlertStore
from storage.repositories.approvals import SqlApprovalStore
from storage.repositories.auto_tasks import SqlAutoTaskStore
from storage.repositories.digest import SqlDigestStore
from storage.repositories.home import SqlHomeReads
from storage.repositories.listings import SqlClientListings
from storage.repositories.preferences import SqlPreferencesRepository
from storage.repositories.reminders import SqlReminderStore
from storage.repositories.scores import SqlScoreStore
from storage.repositories.search import SqlClientSearch
from storage.repositories.snapshots import SqlClientSnapshots
from storage.repositories.teams_refs import SqlTeamsReferences
from storage.repositories.webhooks import SqlWebhookAttempts


class SqlUnitOfWork:
    """``async with uow:`` opens a session; ``commit()`` is explicit; leaving rolls back."""

    session: AsyncSession
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
    webhook_attempts: WebhookAttempts
    listings: ClientListings
    reminders: ReminderStore
    approvals: ApprovalStore
    teams_refs: TeamsReferences

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def __aenter__(self) -> Self:
        self.session = self._sessions()
        s = self.session
        self.users = SqlUserRepository(s)
        self.clients = SqlClientRepository(s)
        self.orders = SqlOrderRepository(s)
        self.invoices = SqlInvoiceRepository(s)
        self.payments = SqlPaymentRepository(s)
        self.quotes = SqlQuoteRepository(s)
        self.activities = SqlActivityRepository(s)
        self.tasks = SqlTaskRepository(s)
        self.preferences = SqlPreferencesRepository(s)
        self.audit = SqlAuditLog(s)
        self.outbox = SqlOutbox(s)
        self.requests = SqlProcessedRequests(s)
        self.links = SqlChannelLinks(s)
        self.pending = SqlPendingActions(s)
        self.search = SqlClientSearch(s)
        self.snapshots = SqlClientSnapshots(s)
        self.scores = SqlScoreStore(s)
        self.digests = SqlDigestStore(s)
        self.risk_alerts = SqlRiskAlertStore(s)
        self.auto_tasks = SqlAutoTaskStore(s)
        self.home = SqlHomeReads(s)
        self.webhook_attempts = SqlWebhookAttempts(s)
        self.listings = SqlClientListings(s)
        self.reminders = SqlReminderStore(s)
        self.approvals = SqlApprovalStore(s)
        self.teams_refs = SqlTeamsReferences(s)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            await self.session.rollback()
        finally:
            await self.session.close()

    async def commit(self) -> None:
        await self.session.commit()

    async def rollback(self) -> None:
        await self.session.rollback()


class SqlUnitOfWorkFactory:
    """Units of work over one engine; ``read_only`` ones read without the write lock
    (``storage/db.py``) and raise ``WriteNeeded`` if they try to write."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions
        engine = sessions.kw["bind"]
        self.readers = async_sessionmaker(
            engine.execution_options(**{READ_ONLY: True}),
            class_=sessions.class_,
            **_without_bind(sessions.kw),
        )

    def __call__(self, *, read_only: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.readers if read_only else self.sessions)


def _without_bind(kw: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in kw.items() if k != "bind"}
