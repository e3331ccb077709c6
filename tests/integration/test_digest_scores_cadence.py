"""The scores the digest and risk alerts read: kept nightly by the ticker, refreshed on demand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from bot.bootstrap import Container
from domain.model import Client, Order
from schedulers.jobs import run_job

NIGHT = datetime(2026, 11, 23, 0, 1, tzinfo=UTC)


async def test_the_ticker_keeps_scores_once_a_day_and_run_job_refreshes(
    container: Container,
) -> None:
    async with container.uow() as uow:
        await uow.clients.upsert_many(
            [Client("C1", "Acme", created_at=datetime(2025, 1, 1, tzinfo=UTC))]
        )
        await uow.orders.upsert_many(
            [
                Order(f"O{n}", "C1", datetime(2025, 1 + n, 3, tzinfo=UTC), Decimal(100))
                for n in range(6)
            ]
        )
        await uow.commit()

    async def nightly(at: datetime) -> dict[str, int]:
        return dict((await run_job(container, "scores-nightly", now=at)).counts)

    assert (await nightly(NIGHT))["clients_scored"] == 1
    for minutes in (1, 30, 600):  # every later tick that day: nothing refitted
        assert (await nightly(NIGHT + timedelta(minutes=minutes)))["kept_today_already"] == 1
    assert (await nightly(NIGHT + timedelta(days=1)))["clients_scored"] == 1
    # on demand (`crmbot run-job scores`): refreshed when the kept ones are an hour old
    later = NIGHT + timedelta(days=1, hours=2)
    assert dict((await run_job(container, "scores", now=later)).counts)["clients_scored"] == 1
    async with container.uow() as uow:
        assert await uow.scores.computed_at(as_of=later.date()) == later
