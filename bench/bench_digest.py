"""The digest cycle at scale: building N users' digests, by one worker and by two, and
delivering them through the outbox to the local Slack stand-in.

    python bench/bench_digest.py --users 1000 [--pg postgresql+asyncpg://…/db]

Creates a throwaway database per backend, migrates it, adds N users (one manager per 20)
in UTC, each with 6 open tasks (2 overdue, 2 due today, 2 later), a client with kept
scores whose reorder window opens tomorrow, and an activity logged yesterday; then times
one ``digest`` cycle at 08:00 (every user due), then a second day's cycle raced by two
workers (two engines, as two ``serve`` processes), checking each digest was queued once;
then drains the outbox to LocalSlack (no rate limit simulated: the sender's own cost;
``bench_digest_delivery.py`` delivers under a simulated Slack limit).
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from bench_search import on_each_backend  # bench/ is on the path
from sqlalchemy import func, select

from bot.bootstrap import Container, build
from bot.localslack import LocalSlack
from bot.settings import Settings
from domain.model import Activity, ActivityType, Client, Role, Surface, Task, User
from domain.scores.record import ScoreRecord
from schedulers.jobs import run_job
from storage.migrate import upgrade_async
from storage.models import OutboxRow

MONDAY = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def record(client_id: int, external_id: str, day: date) -> ScoreRecord:
    """Kept scores whose reorder window (last order + 20 days) opens tomorrow."""
    return ScoreRecord(
        client_id=client_id, client_external_id=external_id, as_of=day, horizon_days=365,
        clv=Decimal(1000), clv_tier="silver", clv_trend="flat", expected_orders=2.0,
        expected_revenue=Decimal(500), p_active=0.8, churn_risk=20, payment_risk=20,
        profitability_risk=0, risk_score=20, risk_level="low", health_score=80,
        rfm_segment="loyal", next_order_expected=None, typical_gap_days=25.0,
        gap_low_days=20.0, gap_high_days=30.0, days_since_last_order=19.0,
    )  # fmt: skip


def container(url: str, slack: LocalSlack) -> Container:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, DATABASE_URL=url, SLACK_API_URL=slack.api_url, SLACK_BOT_TOKEN="xoxb-b"
    )
    return build(settings, clock=lambda: MONDAY)


async def seed(c: Container, users: int) -> None:
    ids = [f"U{n:05d}" for n in range(users)]
    boss = {u: ids[n - n % 20] for n, u in enumerate(ids)}
    async with c.uow() as uow:
        await uow.users.upsert_many(
            [User(u, u, role=Role.MANAGER if boss[u] == u else Role.REP,
                  manager_slack_user_id=None if boss[u] == u else boss[u]) for u in ids]
        )  # fmt: skip
        await uow.clients.upsert_many([Client(f"C{u}", f"Client {u}", owner_slack_user_id=u)
                                       for u in ids])  # fmt: skip
        client_ids = await uow.clients.ids_for([f"C{u}" for u in ids])
        offsets = (-48, -2, 2, 6, 72, 96)  # hours from 08:00 Monday
        await uow.tasks.add_many(
            [Task(f"Task {n}", u, MONDAY + timedelta(hours=h), client_id=client_ids[f"C{u}"],
                  created_at=MONDAY - timedelta(days=5))
             for u in ids for n, h in enumerate(offsets)]
        )  # fmt: skip
        await uow.activities.add_many(
            [Activity(client_ids[f"C{u}"], ActivityType.CALL, "Talked pricing",
                      MONDAY - timedelta(hours=20), u, Surface.SLASH) for u in ids]
        )  # fmt: skip
        day = MONDAY.date()
        kept = [record(client_ids[f"C{u}"], f"C{u}", day) for u in ids]
        await uow.scores.save(kept, as_of=day, computed_at=MONDAY - timedelta(hours=7))
        await uow.commit()


async def run(label: str, url: str, args: argparse.Namespace) -> None:
    await upgrade_async(url)
    async with LocalSlack() as slack:
        one, two = container(url, slack), container(url, slack)
        try:
            await seed(one, args.users)
            start = time.perf_counter()
            counts = (await run_job(one, "digest", now=MONDAY)).counts
            alone = time.perf_counter() - start
            tuesday = MONDAY + timedelta(days=1)
            start = time.perf_counter()
            a, b = await asyncio.gather(
                run_job(one, "digest", now=tuesday), run_job(two, "digest", now=tuesday)
            )
            raced = time.perf_counter() - start
            async with one.engine.connect() as conn:
                queued = (await conn.execute(select(func.count()).select_from(OutboxRow))).scalar()
            sent = counts["sent"] + a.counts["sent"] + b.counts["sent"]
            assert queued == sent == 2 * args.users, (queued, sent)
            start = time.perf_counter()
            drained = 0
            while drained < queued:
                drained += (await run_job(one, "outbox", now=tuesday)).counts["sent"]
            delivery = time.perf_counter() - start
            blocks = max(
                len(m.args.get("blocks") or []) for m in slack.calls_to("chat.postMessage")
            )
            print(
                f"{label}: {args.users} users; build one worker {alone:.2f} s "
                f"({alone / args.users * 1000:.1f} ms a digest; {dict(counts)}); "
                f"two workers {raced:.2f} s (split {a.counts['sent']}/{b.counts['sent']}); "
                f"outbox {queued} = digests {sent}; delivered {drained} in {delivery:.2f} s "
                f"({drained / delivery:.0f}/s); largest {blocks} blocks; "
                f"Block Kit violations {len(slack.violations)}"
            )
        finally:
            await one.close()
            await two.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=1_000)
    parser.add_argument("--pg", help="a PostgreSQL URL; a temporary database is made beside it")
    args = parser.parse_args()
    await on_each_backend(lambda label, url: run(label, url, args), pg=args.pg)


if __name__ == "__main__":
    asyncio.run(main())
