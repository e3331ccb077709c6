"""The outbox sender: delivers queued messages to Slack, honouring its rate limits.

Delivery is at least once on the wire. A row is leased (``claim_due``, committed) before
it is sent, so a crash after the claim only lets the lease run out and a later drain sends
the row. A crash after Slack accepted a call but before ``mark_sent`` committed sends that
message twice: chat.postMessage documents no idempotency key (no ``client_msg_id``-style
dedupe is available to a bot), and the ``ts`` that names the message only comes back in
Slack's answer. The window is kept as small as it can be: each row is marked sent in its own short
transaction right after its call, never at the end of the batch, and no call is started
that could outlive the row's lease (see ``_deadline``). Enqueueing is idempotent by the
row's unique ``key``, so re-running a job never queues a message twice.
``tests/integration/test_kill_points.py`` kills a sender at each ``crash_point`` below and
shows the bound: at most the one in-flight message is sent again, once, after its lease.

Rows of kind ``webhook`` go to the ERP's endpoints instead (``schedulers/webhook_delivery.py``):
same claim, lease and back-off, without Slack's pacing; a receiver's 429 is retried with
the back-off and never pauses the Slack sends. Rows of kind ``teams.send`` go to the Bot
Connector (``schedulers/teams_delivery.py``) the same way; a Teams 429 is retried after its
``Retry-After`` (or the back-off, if longer), also without pausing Slack.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import astuple, dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.metrics import Metrics
from domain.crashpoints import crash_point
from domain.model import OutboxMessage
from domain.ports import UnitOfWorkFactory
from domain.webhooks import WEBHOOK_KIND
from schedulers.dm_channels import dm_arguments
from schedulers.teams_delivery import TeamsDelivery
from schedulers.webhook_delivery import WebhookDelivery

logger = logging.getLogger(__name__)

BACKOFF_BASE = timedelta(seconds=5)
BACKOFF_CAP = timedelta(minutes=15)
MAX_ATTEMPTS = 10
TEAMS_KINDS = "teams."  # prefix of the kinds the Bot Connector delivers (domain/teams.py)
# Slack answers these when the fault is on its side or momentary; any other API error
# (channel_not_found, not_in_channel, invalid_blocks, invalid_auth, ...) means the same
# call would fail again, so the row is failed at once.
TRANSIENT_ERRORS = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)
# A Retry-After up to this long is waited out inside the drain, holding the row's lease, and
# the same row sent again: a workspace-wide 429 usually asks for a second or two, and handing
# the batch back would idle the sender until the next tick (30 s) for each of them.
MAX_INLINE_WAIT = 5.0
# kept free at the end of a lease, on top of the client's own timeout, for the last mark
_SAFETY = timedelta(seconds=5)

Clock = Callable[[], datetime]
Sleep = Callable[[float], Awaitable[Any]]


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed try: 5 s, 10 s, 20 s, … at most 15 min."""
    doublings = min(max(attempts, 1) - 1, 20)  # 5 s · 2^20 is far past the cap already
    return min(BACKOFF_BASE * (1 << doublings), BACKOFF_CAP)


@dataclass
class DrainResult:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    deferred: int = 0  # claimed, but handed back unsent (rate limit, or lease running out)

    def __add__(self, other: DrainResult) -> DrainResult:
        return DrainResult(*(a + b for a, b in zip(astuple(self), astuple(other), strict=True)))


@dataclass(frozen=True)
class _Answer:
    """What one Web API call came to."""

    outcome: Literal["sent", "rate_limited", "transient", "permanent"]
    error: str = ""
    ts: str | None = None
    retry_after: float | None = None


class OutboxSender:
    """Claims due outbox rows and sends each with the Web API method named by its ``kind``."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        client_factory: Callable[[], AsyncWebClient],
        clock: Clock,
        metrics: Metrics,
        *,
        batch: int = 50,
        lease_seconds: int = 60,
        per_channel_interval: float = 1.0,
        max_inline_wait: float = MAX_INLINE_WAIT,
        sleep: Sleep = asyncio.sleep,
        webhooks: WebhookDelivery | None = None,
        teams: TeamsDelivery | None = None,
        team_client: Callable[[str | None], Awaitable[AsyncWebClient]] | None = None,
    ) -> None:
        self._uows, self._client_factory = uow_factory, client_factory
        self._team_client = team_client  # a row's workspace's client (OAuth installs)
        self._webhooks, self._teams = webhooks, teams
        self._clock, self._metrics, self._sleep = clock, metrics, sleep
        self.batch, self._lease_seconds = batch, lease_seconds
        self._interval, self._max_inline_wait = per_channel_interval, max_inline_wait
        self._paused_until: datetime | None = None  # set by a 429: Slack asked us to wait

    async def drain(self) -> DrainResult:
        """Send one batch of due rows; what cannot be sent now stays queued for later."""
        result, start = DrainResult(), self._clock()
        if self._paused_until is not None and start < self._paused_until:
            logger.info("outbox: Slack asked to wait until %s", self._paused_until.isoformat())
            return result
        client = self._client_factory()
        deadline = self._deadline(client, start)
        messages = await self._claim(start)
        if messages:
            crash_point("outbox.after_claim")
        result.claimed = len(messages)
        if messages:
            await self._send_all(client, messages, deadline, result)
        return result

    async def _claim(self, now: datetime) -> Sequence[OutboxMessage]:
        async with self._uows() as uow:
            messages = await uow.outbox.claim_due(
                now=now, limit=self.batch, lease_seconds=self._lease_seconds
            )
            await uow.commit()
        return messages

    async def _send_all(
        self,
        client: AsyncWebClient,
        messages: Sequence[OutboxMessage],
        deadline: datetime,
        result: DrainResult,
    ) -> None:
        last_sent: dict[str, datetime] = {}
        for index, message in enumerate(messages):
            if not await self._pace(message, last_sent, deadline):
                await self._defer(messages[index:], self._clock(), "deferred: lease ran out")
                result.deferred += len(messages) - index
                return
            answer = await self._send(client, message)
            while answer.outcome == "rate_limited" and await self._wait_out(
                message, answer, deadline
            ):
                answer = await self._send(client, message)
            last_sent[message.channel] = self._clock()
            if answer.outcome == "sent":
                crash_point("outbox.after_send_before_mark")
            await self._settle(message, answer, result)
            crash_point("outbox.after_mark")
            if answer.outcome == "rate_limited" and self._paused_until is not None:
                rest = messages[index + 1 :]
                await self._defer(rest, self._paused_until, "deferred: Slack rate limit (429)")
                result.deferred += len(rest)
                return

    def _deadline(self, client: AsyncWebClient, start: datetime) -> datetime:
        """No call starts after this, so none can still be running when the lease ends."""
        call_timeout = float(getattr(client, "timeout", 30) or 30)
        budget = self._lease_seconds - call_timeout - _SAFETY.total_seconds()
        if budget <= 0:
            raise ValueError(
                f"outbox lease of {self._lease_seconds}s leaves no time to send with a "
                f"{call_timeout:g}s Slack client timeout; lengthen the lease"
            )
        return start + timedelta(seconds=budget)

    async def _send(self, client: AsyncWebClient, message: OutboxMessage) -> _Answer:
        if message.kind.startswith(TEAMS_KINDS):
            if self._teams is None:
                return _Answer("permanent", error="teams is not wired to this sender")
            sent = await self._teams.deliver(message)
            return _Answer(sent.outcome, sent.error, sent.activity_id, sent.retry_after)
        if message.kind != WEBHOOK_KIND:
            return await self._slack(client, message)
        if self._webhooks is None:
            return _Answer("permanent", error="webhooks are not wired to this sender")
        delivery = await self._webhooks.deliver(message, now=self._clock())
        return _Answer(delivery.outcome, error=delivery.error)

    async def _slack(self, client: AsyncWebClient, message: OutboxMessage) -> _Answer:
        """A Web API call, with the bot token of the row's workspace (OAuth installs)."""
        if self._team_client is not None:
            try:
                client = await self._team_client(message.team_id)
            except Exception as exc:  # no token to send with just now (database, refresh)
                logger.warning("outbox: no token for workspace %s: %s", message.team_id, exc)
                return _Answer("transient", error=type(exc).__name__)
        return await _call(client, message)

    async def _pace(
        self, message: OutboxMessage, last_sent: dict[str, datetime], deadline: datetime
    ) -> bool:
        """About one message a second to each channel; False when the lease is too short."""
        now, wait, channel = self._clock(), 0.0, message.channel
        if message.kind == WEBHOOK_KIND:
            return now < deadline  # Slack's pacing is Slack's: a webhook goes at once
        if channel in last_sent:
            wait = max(0.0, self._interval - (now - last_sent[channel]).total_seconds())
        if now + timedelta(seconds=wait) >= deadline:
            return False
        if wait:
            await self._sleep(wait)
        return True

    async def _wait_out(self, message: OutboxMessage, answer: _Answer, deadline: datetime) -> bool:
        """Sleep through a short Retry-After that ends before the deadline; False otherwise.

        The row stays leased to this drain meanwhile, so no other sender can take it, and
        nothing else is sent while Slack asked to wait: every 429 costs one pause, never a
        burst of calls. A longer wait is left to ``_settle``, which hands the batch back.
        """
        wait = answer.retry_after
        if message.kind == WEBHOOK_KIND or wait is None or wait > self._max_inline_wait:
            return False
        if self._clock() + timedelta(seconds=wait) >= deadline:
            return False
        self._metrics.slack_errors.labels(method=message.kind, error=answer.error).inc()
        self._metrics.slack_rate_limited.labels(method=message.kind).inc()
        logger.info("outbox: %s %s got a 429; waiting %gs", message.kind, message.key, wait)
        await self._sleep(wait)
        return True

    async def _settle(self, message: OutboxMessage, answer: _Answer, result: DrainResult) -> None:
        now = self._clock()
        if answer.outcome == "sent":
            await self._mark_sent(message, answer.ts, now)
            result.sent += 1
            return
        if message.kind != WEBHOOK_KIND and not message.kind.startswith(TEAMS_KINDS):
            self._metrics.slack_errors.labels(method=message.kind, error=answer.error).inc()
        retry_at = _retry_at(message, answer, now)
        if answer.outcome == "rate_limited":
            self._metrics.slack_rate_limited.labels(method=message.kind).inc()
            self._paused_until = retry_at
        await self._mark_failed(message, answer.error, retry_at, now)
        if retry_at is None:
            result.failed += 1
            logger.warning(
                "outbox: %s %s to %s failed for good after %d attempt(s): %s",
                *(message.kind, message.key, message.channel, message.attempts, answer.error),
            )
        else:
            result.retried += 1
            logger.info(
                "outbox: %s %s got %s; retrying at %s",
                *(message.kind, message.key, answer.error, retry_at.isoformat()),
            )

    async def _mark_sent(self, message: OutboxMessage, ts: str | None, now: datetime) -> None:
        assert message.id is not None
        async with self._uows() as uow:
            await uow.outbox.mark_sent(message.id, ts=ts, now=now)
            await uow.commit()
        self._metrics.messages_sent.labels(kind=message.kind).inc()

    async def _mark_failed(
        self, message: OutboxMessage, error: str, retry_at: datetime | None, now: datetime
    ) -> None:
        assert message.id is not None
        async with self._uows() as uow:
            await uow.outbox.mark_failed(message.id, error=error, retry_at=retry_at, now=now)
            await uow.commit()

    async def _defer(self, messages: Sequence[OutboxMessage], until: datetime, why: str) -> None:
        """Hand claimed rows back unsent: due again at ``until``, lease released.

        The claim already counted an attempt for each; the repository cannot take it back,
        so a deferred row comes a little closer to MAX_ATTEMPTS (which only a transient
        error can reach, never a deferral or a 429 by itself).
        """
        if not messages:
            return
        now = self._clock()
        async with self._uows() as uow:
            for message in messages:
                assert message.id is not None
                await uow.outbox.mark_failed(message.id, error=why, retry_at=until, now=now)
            await uow.commit()
        logger.info("outbox: %d message(s) %s; due again at %s", len(messages), why, until)


def _retry_at(message: OutboxMessage, answer: _Answer, now: datetime) -> datetime | None:
    """When to try again: Retry-After for a 429, back-off for a transient error, else never."""
    if answer.outcome == "rate_limited":
        if answer.retry_after is not None:
            return now + timedelta(seconds=answer.retry_after)
        return now + backoff(message.attempts)
    if answer.outcome == "permanent" or message.attempts >= MAX_ATTEMPTS:
        return None
    wait = timedelta(seconds=answer.retry_after or 0)  # a Teams 429's Retry-After
    return now + max(backoff(message.attempts), wait)


def call_arguments(message: OutboxMessage) -> dict[str, Any]:
    """The payload, with the row's channel filled in where the method names its target."""
    arguments = dict(message.payload)
    if message.channel:
        if message.kind.startswith("chat."):
            arguments.setdefault("channel", message.channel)
        elif message.kind == "views.publish":
            arguments.setdefault("user_id", message.channel)
    return arguments


async def _call(client: AsyncWebClient, message: OutboxMessage) -> _Answer:
    try:
        arguments = await dm_arguments(client, message, call_arguments(message))
        response = await client.api_call(message.kind, json=arguments)
    except SlackApiError as exc:
        return classify(exc.response)
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        return _Answer("transient", error=type(exc).__name__)
    except Exception as exc:  # an unexpected answer or a bug: retried a few times, then failed
        logger.exception("outbox: %s %s raised", message.kind, message.key)
        return _Answer("transient", error=type(exc).__name__)
    return _Answer("sent", ts=response.get("ts") or response.get("message_ts"))


def classify(response: Any) -> _Answer:
    """Sort a refused call: 429, transient (5xx, Slack-side errors), or permanent."""
    status = int(getattr(response, "status_code", None) or getattr(response, "status", 0) or 0)
    data = getattr(response, "data", None)
    error = str((data.get("error") if isinstance(data, Mapping) else None) or f"http_{status}")
    if status == 429:
        return _Answer("rate_limited", error=error, retry_after=_retry_after(response))
    if status >= 500 or status == 408 or error in TRANSIENT_ERRORS:
        return _Answer("transient", error=error)
    return _Answer("permanent", error=error)


def _retry_after(response: Any) -> float | None:
    for name, value in (getattr(response, "headers", None) or {}).items():
        if name.lower() == "retry-after":
            try:
                return max(0.0, float(value))
            except ValueError:
                return None
    return None
