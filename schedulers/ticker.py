"""The ticker: APScheduler only ticks; every durable bit of state is in the CRM tables.

Its job store stays in memory (a database job store in APScheduler 3 blocks the event
loop), so each ``serve`` process ticks on its own; the jobs claim their rows, which is
what keeps several processes from sending anything twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.faults import database_unavailable, reason
from schedulers.jobs import JOBS, run_job

if TYPE_CHECKING:
    from bot.bootstrap import Container

logger = logging.getLogger(__name__)


def available_jobs() -> tuple[str, ...]:
    """Every job that is built, the outbox last so it sends what the others queued."""
    names = [
        name for name, spec in JOBS.items() if spec.available and spec.ticked and name != "outbox"
    ]
    return (*names, "outbox")


class Ticker:
    """Runs the available jobs every ``interval_seconds``, one tick at a time."""

    def __init__(
        self,
        container: Container,
        *,
        interval_seconds: float = 30,
        jobs: Iterable[str] | None = None,
    ) -> None:
        self._container = container
        self._interval = interval_seconds
        self.jobs = tuple(jobs) if jobs is not None else available_jobs()
        self._scheduler = AsyncIOScheduler(timezone=UTC)  # the default, in-memory job store
        self._current: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start ticking now and then every interval; call from inside the event loop."""
        self._scheduler.add_job(
            self._tick,
            "interval",
            seconds=self._interval,
            id="tick",
            next_run_time=datetime.now(UTC),
            coalesce=True,  # ticks missed while busy or asleep run once, not in a burst
            max_instances=1,
            misfire_grace_time=max(1, int(self._interval)),
        )
        self._scheduler.start()
        logger.info("ticker: %s every %ss", ", ".join(self.jobs), self._interval)

    async def shutdown(self, *, grace_seconds: float = 30) -> None:
        """Stop ticking and let a tick in progress finish, so no send is cut in half."""
        if self._scheduler.running:
            self._scheduler.pause()
        current = self._current
        if current is not None and not current.done():
            try:
                await asyncio.wait_for(asyncio.shield(current), grace_seconds)
            except TimeoutError:
                logger.warning("ticker: a tick still ran after %ss; cancelled", grace_seconds)
                current.cancel()
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
            await asyncio.sleep(0)  # the scheduler stops on the loop's next turn

    async def tick(self) -> None:
        """One cycle of every job; a failing job is logged and the others still run. A
        database out of reach (locked, restarting) is one warning line, not a traceback:
        each job's claims rolled back with its unit of work, so the next tick resumes."""
        for name in self.jobs:
            try:
                await run_job(self._container, name, now=self._container.clock())
            except Exception as exc:
                if not database_unavailable(exc):
                    logger.exception("ticker: job %s failed; the next tick tries again", name)
                    continue
                logger.warning("ticker: job %s: database unavailable (%s); the next tick "
                               "tries again", name, reason(exc))  # fmt: skip

    async def _tick(self) -> None:
        # shielded: stopping the scheduler cancels its task, never a send in flight
        self._current = asyncio.ensure_future(self.tick())
        await asyncio.shield(self._current)
