"""SQLAlchemy implementations of the domain's repository ports."""

from storage.repositories.clients import SqlChannelLinks, SqlClientRepository
from storage.repositories.people import SqlUserRepository
from storage.repositories.quotes import SqlQuoteRepository
from storage.repositories.sales import (
    SqlInvoiceRepository,
    SqlOrderRepository,
    SqlPaymentRepository,
)
from storage.repositories.system import (
    SqlAuditLog,
    SqlOutbox,
    SqlPendingActions,
    SqlProcessedRequests,
)
from storage.repositories.work import SqlActivityRepository, SqlTaskRepository

__all__ = [
    "SqlActivityRepository",
    "SqlAuditLog",
    "SqlChannelLinks",
    "SqlClientRepository",
    "SqlInvoiceRepository",
    "SqlOrderRepository",
    "SqlOutbox",
    "SqlPaymentRepository",
    "SqlPendingActions",
    "SqlProcessedRequests",
    "SqlQuoteRepository",
    "SqlTaskRepository",
    "SqlUserRepository",
]
