"""The reminders job at scale: one cycle queueing N due reminders, by one worker and by two.

    python bench/bench_reminders.py --tasks 5000 [--users 500] [--pg postgresql+asyncpg://…/db]

Creates a throwaway database per backend (a temp SQLite file; with ``--pg`` a temporary
database on that server), migrates it, adds users in a spread of zones (a tenth with quiet
hours that hold their reminders) and N open tasks due now, and times ``run-job reminders``:
claiming, rendering each DM into the outbox and settling it, in batches of 100. Then the
same again with two workers (two engines, as two ``serve`` processes) racing for the rows,
and checks that every reminder was queued exactly once.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import UTC, datetime, timedelta

from bench_search import on_each_backend  # bench/ is on the path
from sqlalchemy import func, select

from bot.bootstrap import Container, build
from bot.settings import Settings
from bot.slack.adapters import SlackNotifier
from domain.model import Task, User, UserPreferences
from domain.services.reminders import remind_due
from storage.migrate import upgrade_async
from storage.models import OutboxRow

NOW = datetime(2026, 11, 25, 17, tzinfo=UTC)
ZONES = ("America/Los_Angeles", "Europe/London", "Asia/Tokyo", "Pacific/Honolulu", "UTC")


def container(url: str) -> Container:
    return build(Settings(_env_file=None, DATABASE_URL=url), clock=lambda: NOW)  # type: ignore[call-arg]


async def seed(c: Container, users: int, tasks: int, round_: int) -> None:
    ids = [f"U{round_}B{n:05d}" for n in range(users)]
    async with c.uow() as uow:
        await uow.users.upsert_many(
            [User(u, u, timezone=ZONES[n % len(ZONES)]) for n, u in enumerate(ids)]
        )
        for u in ids[::10]:  # quiet all day long but one minute: held
            await uow.preferences.put(
                UserPreferences(u, quiet_start="00:00", quiet_end="23:59"), now=NOW
            )
        due = [NOW - timedelta(seconds=n % 600) for n in range(tasks)]
        await uow.tasks.add_many([Task(f"Task {n}", ids[n % users], d) for n, d in enumerate(due)])
        await uow.commit()


async def cycle(c: Container) -> dict[str, int]:
    return await remind_due(c.uow, notifier=SlackNotifier(), now=NOW, default_tz="UTC")


async def run(label: str, url: str, args: argparse.Namespace) -> None:
    await upgrade_async(url)
    one, two = container(url), container(url)
    try:
        await seed(one, args.users, args.tasks, 1)
        start = time.perf_counter()
        counts = await cycle(one)
        alone = time.perf_counter() - start
        await seed(one, args.users, args.tasks, 2)
        start = time.perf_counter()
        a, b = await asyncio.gather(cycle(one), cycle(two))
        raced = time.perf_counter() - start
        async with one.engine.connect() as conn:
            queued = (await conn.execute(select(func.count()).select_from(OutboxRow))).scalar()
        sent = counts["sent"] + a["sent"] + b["sent"]
        assert queued == sent, (queued, sent)
        per = alone / args.tasks * 1000
        print(
            f"{label}: {args.tasks} due, one worker {alone:.2f} s ({per:.2f} ms each; {counts}); "
            f"two workers {raced:.2f} s (split {a['sent'] + a['held']}/{b['sent'] + b['held']}); "
            f"outbox rows {queued} = reminders sent {sent}"
        )
    finally:
        await one.close()
        await two.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tasks", type=int, default=5_000)
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--pg", help="a PostgreSQL URL; a temporary database is made beside it")
    args = parser.parse_args()
    await on_each_backend(lambda label, url: run(label, url, args), pg=args.pg)


if __name__ == "__main__":
    asyncio.run(main())
