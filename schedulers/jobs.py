"""The scheduled jobs by the names ``crmbot run-job`` takes (CONTRACT §2), and their runner.

A job is one cycle: it reads "now", does what is due, queues what it will say in the
outbox and returns counts. The ticker runs every available job each interval; ``run-job``
runs one, as if the clock read ``--now``. Jobs that are not built yet say so and do
nothing, rather than pretending to have run.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.faults import database_unavailable
from domain.errors import CrmError, UsageError
from schedulers.alert_jobs import once_a_day, run_auto, run_digest, run_risk
from schedulers.outbox import DrainResult, OutboxSender
from schedulers.reminders import run_reminders
from schedulers.teams_delivery import teams_delivery
from schedulers.webhook_delivery import WebhookDelivery

if TYPE_CHECKING:
    from bot.bootstrap import Clock, Container

logger = logging.getLogger(__name__)

OUTBOX_MAX_BATCHES = 20  # one outbox cycle sends at most this many batches
# Slack retries a request within minutes: a day of request ids still catches every retry
REQUEST_IDS_KEPT = timedelta(hours=24)
# an expired button's token only has to outlive the clicks of people reading old messages
EXPIRED_ACTIONS_KEPT = timedelta(days=7)

JobRun = Callable[["Container", datetime], Awaitable[Mapping[str, int]]]


class JobNotAvailable(CrmError):
    """The job is named in the contract but not built yet: nothing was done."""

    def __init__(self, job: str, arrives_with: str) -> None:
        self.job = job
        super().__init__(
            f"run-job {job}: the {job} job arrives with {arrives_with}; nothing was done"
        )


@dataclass(frozen=True)
class JobSpec:
    name: str
    does: str
    run: JobRun | None = None  # None: not built yet
    internal: bool = False  # not one of the CONTRACT §2 names
    ticked: bool = True  # False: on demand only (the ticker runs another job for it)
    arrives_with: str = "the Schedulers issue"

    @property
    def available(self) -> bool:
        return self.run is not None


@dataclass(frozen=True)
class JobOutcome:
    job: str
    now: datetime
    counts: Mapping[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        done = ", ".join(f"{name} {count}" for name, count in self.counts.items())
        return f"{self.job} at {self.now.isoformat()}: {done or 'nothing to do'}"


def _clock_from(clock: Clock, now: datetime) -> Clock:
    """A clock that reads ``now`` at first and then moves on in step with ``clock``."""
    start = clock()
    return lambda: now + (clock() - start)


async def _drain_outbox(container: Container, now: datetime) -> Mapping[str, int]:
    sender = OutboxSender(
        container.uow,
        container.slack_client,
        _clock_from(container.clock, now),
        container.metrics,
        webhooks=webhook_delivery(container),
        team_client=container.client_for,
        teams=teams_delivery(
            app_id=container.settings.teams_app_id,
            password=container.settings.teams_app_password,
            tenant_id=container.settings.teams_tenant_id,
        ),
    )
    total = DrainResult()
    for _ in range(OUTBOX_MAX_BATCHES):
        result = await sender.drain()
        total += result
        if result.claimed < sender.batch or result.deferred:
            break
    return asdict(total)


async def _housekeeping(container: Container, now: datetime) -> Mapping[str, int]:
    """Drop what only grows: request ids past the retry window, long-expired buttons."""
    async with container.uow() as uow:
        request_ids = await uow.requests.purge(before=now - REQUEST_IDS_KEPT)
        actions = await uow.pending.purge_expired(before=now - EXPIRED_ACTIONS_KEPT)
        await uow.commit()
    return {"request_ids_purged": request_ids, "expired_actions_purged": actions}


def webhook_delivery(container: Container) -> WebhookDelivery:
    """Webhook rows go to the endpoints the policy file names now (by endpoint name)."""
    policy = container.policy
    return WebhookDelivery(
        container.uow,
        {e.name: e for e in policy.webhook_endpoints()},
        timeout_seconds=policy.webhooks.timeout_seconds,
    )


async def _scores(container: Container, now: datetime) -> Mapping[str, int]:
    """Keep today's scores of every client (``domain.services.scoring``); the models load
    on first use, so processes that never score never import them."""
    from domain.services.scoring import run_scores_job

    tiers = container.policy.scores.tiers.thresholds()
    return await run_scores_job(container.uow, now=now, thresholds=tiers)


async def _quote_expiry(container: Container, now: datetime) -> Mapping[str, int]:
    """Also the approvals' escalation (``domain/services/approvals_jobs.py``)."""
    return await container.approvals.run_cycle(now=now)


JOBS: dict[str, JobSpec] = {
    spec.name: spec
    for spec in (
        JobSpec(
            "reminders", "direct-message each task's assignee at its due time", run=run_reminders
        ),
        JobSpec("digest", "the morning digest, from 08:00 in each user's zone", run=run_digest),
        JobSpec("risk-alerts", "alert owners of clients whose risk rose to high", run=run_risk),
        JobSpec("auto-tasks", "create follow-up tasks from the CRM's rules", run=run_auto),
        JobSpec(
            "quote-expiry",
            "expire pending quotes past their valid_until; remind, then escalate, waiting levels",
            run=_quote_expiry,
        ),
        JobSpec("scores", "recompute every client's scores", run=_scores, ticked=False),
        JobSpec(
            "scores-nightly",
            "keep every client's scores once a day",
            run=once_a_day(_scores),
            internal=True,
        ),
        JobSpec(
            "outbox",
            "send the queued Slack messages and webhooks",
            run=_drain_outbox,
            internal=True,
        ),
        JobSpec(
            "housekeeping",
            "forget old request ids and long-expired buttons",
            run=_housekeeping,
            internal=True,
        ),
    )
}


async def run_job(container: Container, name: str, *, now: datetime) -> JobOutcome:
    """Run one cycle of job ``name`` as if the clock read ``now``."""
    spec = JOBS.get(name)
    if spec is None:
        raise UsageError(f"run-job {name}: no such job; the jobs are: {', '.join(JOBS)}")
    runs = container.metrics.job_runs
    if spec.run is None:
        runs.labels(job=name, outcome="not_available").inc()
        raise JobNotAvailable(name, spec.arrives_with)
    try:
        counts = await spec.run(container, now)
    except Exception as exc:
        label = "db_unavailable" if database_unavailable(exc) else "error"
        runs.labels(job=name, outcome=label).inc()
        raise
    runs.labels(job=name, outcome="ok").inc()
    outcome = JobOutcome(name, now, counts)
    logger.debug("job %s", outcome.summary())
    return outcome
