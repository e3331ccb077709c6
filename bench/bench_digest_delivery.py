"""Delivering a digest cycle under a simulated Slack rate limit, against the limit's floor.

    python bench/bench_digest_delivery.py --users 1000 --cap 600 --runs 3 [--pg postgresql+asyncpg://…/db]

Seeds N users as ``bench_digest.py`` does (throwaway database per backend, migrated), then for
each run (Monday, Tuesday, … at 08:00, every user due) builds every digest with the ``digest``
job and delivers them with the real ``outbox`` job into LocalSlack with its rate limits on:
one ``chat.postMessage`` a second per channel and a workspace cap of ``--cap`` posts a minute
(a token bucket holding one second's worth). The outbox job runs as the ticker runs it: a
cycle every ``--tick`` seconds (the ``serve`` default, 30), or at once when a cycle ran longer.
The clock is real time from 08:00, so every Retry-After is waited out for real.

The floor is the least time the cap allows for N posts: (N - bucket) / (cap / 60) seconds.
Reported per run: build time, delivery time (first cycle start to last post accepted), its
ratio to the floor, 429s received, cycles, and exactly-once (each user got one digest, every
outbox row sent, nothing else posted). Medians over the runs.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from bench_digest import MONDAY, seed  # bench/ is on the path
from bench_search import on_each_backend
from sqlalchemy import func, select

from bot.bootstrap import Container, build
from bot.localslack import LocalSlack
from bot.localslack_rates import RateLimiter, RateLimits
from bot.settings import Settings
from schedulers.jobs import run_job
from storage.migrate import upgrade_async
from storage.models import OutboxRow

POST = "chat.postMessage"


class RealTime:
    """A clock that reads ``start`` when set and then moves on in real time."""

    def __init__(self) -> None:
        self.set(MONDAY)

    def set(self, start: datetime) -> None:
        self._start, self._t0 = start, time.monotonic()

    def __call__(self) -> datetime:
        return self._start + timedelta(seconds=time.monotonic() - self._t0)


@dataclass(frozen=True)
class Run:
    build: float
    delivery: float
    floor: float
    rate_limited: int
    cycles: int
    sent: int
    exactly_once: bool

    @property
    def ratio(self) -> float:
        return self.delivery / self.floor if self.floor else float("nan")


def container(url: str, api_url: str, clock: RealTime) -> Container:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, DATABASE_URL=url, SLACK_API_URL=api_url, SLACK_BOT_TOKEN="xoxb-b"
    )
    return build(settings, clock=clock)


async def deliver(c: Container, args: argparse.Namespace) -> tuple[int, int]:
    """Outbox cycles as the ticker runs them until all is sent; (cycles, sent)."""
    cycles = sent = 0
    give_up = time.monotonic() + args.max_seconds
    while sent < args.users and time.monotonic() < give_up:
        started = time.monotonic()
        sent += (await run_job(c, "outbox", now=c.clock())).counts["sent"]
        cycles += 1
        if sent < args.users:
            await asyncio.sleep(max(0.0, started + args.tick - time.monotonic()))
    return cycles, sent


async def one_run(
    c: Container, slack: LocalSlack, day: datetime, args: argparse.Namespace, limits: RateLimits
) -> Run:
    slack.calls.clear()
    slack.messages.clear()
    slack.rate_limiter = RateLimiter(limits, time.time)  # a full bucket, as after a quiet night
    clock = c.clock
    assert isinstance(clock, RealTime)
    clock.set(day)
    start = time.perf_counter()
    counts = (await run_job(c, "digest", now=day)).counts
    built = time.perf_counter() - start
    assert counts["sent"] == args.users, counts
    start = time.time()
    cycles, sent = await deliver(c, args)
    accepted = [call for call in slack.calls_to(POST) if call.error is None]
    delivery = max(call.time for call in accepted) - start
    per_user = Counter(call.args["channel"] for call in accepted)
    async with c.engine.connect() as conn:
        unsent = (
            await conn.execute(
                select(func.count()).select_from(OutboxRow).where(OutboxRow.status != "sent")
            )
        ).scalar()
    once = (
        sent == len(accepted) == len(per_user) == args.users
        and set(per_user.values()) == {1}
        and unsent == 0
    )
    limited = sum(1 for call in slack.calls_to(POST) if call.error == "ratelimited")
    floor = limits.floor_seconds(args.users)
    return Run(built, delivery, floor, limited, cycles, len(accepted), once)


async def run(label: str, url: str, args: argparse.Namespace) -> list[Run]:
    await upgrade_async(url)
    limits = RateLimits(per_channel_seconds=1.0, workspace_per_minute=args.cap)
    runs: list[Run] = []
    async with LocalSlack(rate_limits=limits) as slack:
        c = container(url, slack.api_url, RealTime())
        try:
            await seed(c, args.users)
            for n in range(args.runs):
                runs.append(await one_run(c, slack, MONDAY + timedelta(days=n), args, limits))
                r = runs[-1]
                print(
                    f"{label} run {n + 1}: build {r.build:.2f} s; delivery {r.delivery:.1f} s "
                    f"vs floor {r.floor:.1f} s (x{r.ratio:.3f}); 429s {r.rate_limited}; "
                    f"outbox cycles {r.cycles}; delivered {r.sent}; exactly once {r.exactly_once}",
                    flush=True,
                )
        finally:
            await c.close()
    print(summary(label, runs, args), flush=True)
    return runs


def summary(label: str, runs: list[Run], args: argparse.Namespace) -> str:
    def med(values: list[float]) -> float:
        return statistics.median(values)

    return (
        f"{label} median of {len(runs)}: {args.users} users, cap {args.cap}/min; "
        f"build {med([r.build for r in runs]):.2f} s; "
        f"delivery {med([r.delivery for r in runs]):.1f} s vs floor {runs[0].floor:.1f} s "
        f"(x{med([r.ratio for r in runs]):.3f}); 429s {med([r.rate_limited for r in runs]):.0f}; "
        f"cycles {med([r.cycles for r in runs]):.0f}; "
        f"exactly once in every run: {all(r.exactly_once for r in runs)}"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=1_000)
    parser.add_argument("--cap", type=int, default=600, help="workspace posts a minute")
    parser.add_argument("--runs", type=int, default=3, help="days in a row, one run each")
    parser.add_argument("--tick", type=float, default=30.0, help="ticker interval, seconds")
    parser.add_argument("--max-seconds", type=float, default=600.0, help="give up delivering")
    parser.add_argument("--pg", help="a PostgreSQL URL; a temporary database is made beside it")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    await on_each_backend(
        lambda label, url: run(label, url, args), pg=args.pg, sqlite=not args.no_sqlite
    )


if __name__ == "__main__":
    asyncio.run(main())
