"""Every table crmbot owns, re-exported so Alembic sees one metadata."""

from storage.base import Base
from storage.models.alerts import (
    AlertQuotaRow,
    DigestRunRow,
    JobMarkRow,
    RiskAlertRow,
    RiskStateRow,
)
from storage.models.approvals import ApprovalChainRow, ApprovalRequestRow
from storage.models.clients import ChannelLinkRow, ClientRow, ContactRow
from storage.models.people import UserPreferencesRow, UserRow
from storage.models.quotes import ApprovalDecisionRow, QuoteRow
from storage.models.sales import InvoiceRow, OrderRow, PaymentRow
from storage.models.scores import ClientScoreRow
from storage.models.slack_oauth import slack_bots, slack_installations, slack_oauth_states
from storage.models.system import AuditRow, OutboxRow, PendingActionRow, ProcessedRequestRow
from storage.models.teams import TeamsConversationRow
from storage.models.webhooks import WebhookAttemptRow
from storage.models.work import ActivityRow, TaskRow

__all__ = [
    "ActivityRow",
    "AlertQuotaRow",
    "ApprovalChainRow",
    "ApprovalDecisionRow",
    "ApprovalRequestRow",
    "AuditRow",
    "Base",
    "ChannelLinkRow",
    "ClientRow",
    "ClientScoreRow",
    "ContactRow",
    "DigestRunRow",
    "InvoiceRow",
    "JobMarkRow",
    "OrderRow",
    "OutboxRow",
    "PaymentRow",
    "PendingActionRow",
    "ProcessedRequestRow",
    "QuoteRow",
    "RiskAlertRow",
    "RiskStateRow",
    "TaskRow",
    "TeamsConversationRow",
    "UserPreferencesRow",
    "UserRow",
    "WebhookAttemptRow",
    "slack_bots",
    "slack_installations",
    "slack_oauth_states",
]
