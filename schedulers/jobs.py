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
from datetime import datetime
from typing import TYPE_CHECKING

from domain.errors import CrmError, UsageError
from schedulers.outbox import DrainResult, OutboxSender

if TYPE_CHECKING:
    from bot.bootstrap import Clock, Container

logger = logging.getLogger(__name__)

OUTBOX_MAX_BATCHES = 20  # one outbox cycle sends at most this many batches

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
    )
    total = DrainResult()
    for _ in range(OUTBOX_MAX_BATCHES):
        result = await sender.drain()
        total += result
        if result.claimed < sender.batch or result.deferred:
            break
    return asdict(total)


JOBS: dict[str, JobSpec] = {
    spec.name: spec
    for spec in (
        JobSpec("reminders", "direct-message each task's assignee at its due time"),
        JobSpec("digest", "the morning digest, from 08:00 in each user's zone"),
        JobSpec("risk-alerts", "alert owners of clients whose risk rose to high"),
        JobSpec("auto-tasks", "create follow-up tasks from the CRM's rules"),
        JobSpec("quote-expiry", "expire pending quotes past their valid_until"),
        JobSpec("scores", "recompute every client's scores"),
        JobSpec("outbox", "send the queued Slack messages", run=_drain_outbox, internal=True),
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
    except Exception:
        runs.labels(job=name, outcome="error").inc()
        raise
    runs.labels(job=name, outcome="ok").inc()
    outcome = JobOutcome(name, now, counts)
    logger.debug("job %s", outcome.summary())
    return outcome
