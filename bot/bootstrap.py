"""The composition root: builds everything once and passes it down."""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Policy, load_policy
from bot.faults import database_unavailable, reason
from bot.metrics import Metrics
from bot.settings import Settings
from domain.ports_api import Webhooks
from domain.ports_approvals import WaitingApprovals
from domain.services.approvals import ApprovalService
from domain.services.approvals_context import ApprovalDeps
from domain.services.chat import ChatDeps, ChatService
from domain.webhooks import NO_WEBHOOKS, ConfiguredWebhooks
from storage.db import create_engine, session_factory
from storage.uow import SqlUnitOfWorkFactory

if TYPE_CHECKING:
    import aiohttp
    from slack_sdk.web.async_client import AsyncWebClient

    from bot.slack.workspaces import WorkspaceTokens

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]
COMMAND_SLOTS = 8  # see Container.command_slots
# The bot token of the workspace whose request is being handled (set by the Slack
# middleware, bot/slack/middleware.py): every Web API call made on behalf of a request
# speaks for the request's workspace, whichever module makes it.
REQUEST_TOKEN: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "crmbot_request_token", default=None
)


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class Container:
    """What every adapter (Slack, REST, CLI, jobs) needs, built in one place."""

    settings: Settings
    engine: AsyncEngine
    uow: SqlUnitOfWorkFactory
    clock: Clock
    metrics: Metrics = field(default_factory=Metrics)
    _chat: ChatService | None = None
    _policy: Policy | None = None
    _delivery: asyncio.Task[object] | None = None
    _approvals: ApprovalService | None = None
    _command_slots: asyncio.Semaphore | None = None
    _http: aiohttp.ClientSession | None = None
    _workspaces: WorkspaceTokens | None = None

    @property
    def command_slots(self) -> asyncio.Semaphore:
        """How many commands do their work at once, after their ack. Unbounded, a burst
        fills the event loop with command work and every new request's ack waits behind
        it (BENCHMARKS.md, "Ack latency under load"); the rest wait here, acked."""
        if self._command_slots is None:
            self._command_slots = asyncio.Semaphore(COMMAND_SLOTS)
        return self._command_slots

    @property
    def http(self) -> aiohttp.ClientSession:
        """One HTTP session for the replies this process posts (kept-alive connections),
        made in the running event loop on first use and closed with the container."""
        if self._http is None or self._http.closed:
            import aiohttp

            self._http = aiohttp.ClientSession()
        return self._http

    @property
    def chat(self) -> ChatService:
        if self._chat is None:
            self._chat = chat_service(self)
        return self._chat

    @property
    def policy(self) -> Policy:
        """The policy file (CRMBOT_CONFIG), read once; a bad file raises PolicyFileError."""
        if self._policy is None:
            self._policy = load_policy(self.settings.policy_file)
        return self._policy

    @property
    def approvals(self) -> ApprovalService:
        """Quote approvals: the policy's chains, the request DMs, decisions, expiry."""
        if self._approvals is None:
            self._approvals = approval_service(self)
        return self._approvals

    @property
    def waiting_approvals(self) -> WaitingApprovals:
        """The quotes waiting on a user (digest, App Home), as ``/crm quotes`` shows them."""
        return self.approvals

    @property
    def webhooks(self) -> Webhooks:
        endpoints = self.policy.webhook_endpoints()
        return ConfiguredWebhooks(endpoints) if endpoints else NO_WEBHOOKS

    def deliver_soon(self) -> None:
        """Drain the outbox now rather than at the next tick (a notice just queued)."""
        if self._delivery is not None and not self._delivery.done():
            return
        from schedulers.jobs import run_job

        # the drain must not speak with the requester's token: each row names its own
        context = contextvars.copy_context()
        context.run(REQUEST_TOKEN.set, None)
        job = run_job(self, "outbox", now=self.clock())
        self._delivery = asyncio.create_task(job, context=context)

    def slack_client(self, token: str | None = None) -> AsyncWebClient:
        """A Web API client that talks to ``SLACK_API_URL`` (Slack, or a local stand-in)."""
        # imported here: CLI commands that never talk to Slack (scores, import) skip its
        # and aiohttp's import time (~0.15 s), as they skip Alembic's in migrate()
        from slack_sdk.web.async_client import AsyncWebClient

        return AsyncWebClient(
            token=token or REQUEST_TOKEN.get() or self.settings.slack_bot_token,
            base_url=self.settings.slack_api_url,
        )

    @property
    def workspaces(self) -> WorkspaceTokens:
        """Each workspace's bot token: its OAuth installation's, or SLACK_BOT_TOKEN."""
        if self._workspaces is None:
            from bot.slack.workspaces import WorkspaceTokens

            self._workspaces = WorkspaceTokens(self)
        return self._workspaces

    async def client_for(self, team_id: str | None) -> AsyncWebClient:
        """A Web API client that speaks for workspace ``team_id`` (the outbox's sends)."""
        token = await self.workspaces.token(team_id)
        return self.slack_client(token or self.settings.slack_bot_token)

    async def database_ok(self) -> bool:
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            return True
        except Exception as exc:  # any driver error means "not answering"
            busy = database_unavailable(exc)  # expected now and then: one line, no traceback
            logger.warning("database health check failed: %s", reason(exc), exc_info=not busy)
            return False

    async def migrate(self) -> None:
        from storage.migrate import upgrade_async

        await upgrade_async(self.settings.database_url)

    async def close(self) -> None:
        if self._delivery is not None:
            await asyncio.wait({self._delivery}, timeout=10)
        if self._http is not None:
            await self._http.close()
        await self.engine.dispose()


def build(settings: Settings | None = None, *, clock: Clock = system_clock) -> Container:
    settings = settings or Settings()
    engine = create_engine(settings.database_url)
    return Container(
        settings=settings,
        engine=engine,
        uow=SqlUnitOfWorkFactory(session_factory(engine)),
        clock=clock,
    )


def chat_service(container: Container) -> ChatService:
    """The chat commands, wired to Slack for profiles and to the outbox for notices."""
    from bot.alerts_wiring import digest_service
    from bot.notifier import notifier
    from bot.slack.adapters import SlackProfiles

    return ChatService(
        ChatDeps(
            uow=container.uow,
            clock=container.clock,
            profiles=SlackProfiles(container.slack_client),
            notifier=notifier(),
            default_tz=container.settings.default_tz,
            webhooks=container.webhooks,
            approvals=container.approvals,
            digest=digest_service(container),
            tiers=container.policy.scores.tiers.thresholds(),
        )
    )


def approval_service(container: Container) -> ApprovalService:
    """Approvals, with the policy file's levels and request messages rendered for Slack."""
    from bot.slack import render

    return ApprovalService(
        ApprovalDeps(
            uow=container.uow,
            clock=container.clock,
            rules=container.policy.approval.rules(),
            render=render.message,
            webhooks=container.webhooks,
        )
    )
