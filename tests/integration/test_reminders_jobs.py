"""The reminders job under concurrency and crashes, on SQLite and PostgreSQL.

Two containers on one database stand for two ``serve`` processes: each logical reminder
must reach the outbox once, and a cycle that dies before its commit must leave the
reminder to the next one.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.bootstrap import Container, build
from bot.localslack import LocalSlack
from bot.slack.adapters import SlackNotifier
from domain.cards import Card
from domain.model import Task, User
from domain.ports import UnitOfWork
from domain.services.reminders import remind_due
from schedulers.jobs import run_job
from storage.models import OutboxRow, TaskRow
from tests.conftest import FixedClock, make_settings

NOW = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)


@pytest.fixture
async def slack() -> AsyncIterator[LocalSlack]:
    async with LocalSlack() as stand_in:
        yield stand_in


@pytest.fixture
async def first(
    database_url: str, clock: FixedClock, slack: LocalSlack
) -> AsyncIterator[Container]:
    """One ``serve`` process, talking to the Slack stand-in."""
    built = build(make_settings(database_url, SLACK_API_URL=slack.api_url), clock=clock)
    try:
        yield built
    finally:
        await built.close()


@pytest.fixture
async def second(
    database_url: str, clock: FixedClock, slack: LocalSlack
) -> AsyncIterator[Container]:
    """Another process on the same database."""
    other = build(make_settings(database_url, SLACK_API_URL=slack.api_url), clock=clock)
    try:
        yield other
    finally:
        await other.close()


async def add_due(container: Container, count: int) -> None:
    async with container.uow() as uow:
        await uow.users.upsert_many([User("U1", "Ana", timezone="Europe/Paris")])
        await uow.tasks.add_many(
            [Task(f"T{n}", "U1", NOW - timedelta(minutes=n % 7)) for n in range(count)]
        )
        await uow.commit()


async def outbox_keys(container: Container) -> list[str]:
    async with container.engine.connect() as conn:
        return list((await conn.execute(select(OutboxRow.key))).scalars())


class Slow(SlackNotifier):
    """Dawdles inside the transaction, so that concurrent cycles overlap."""

    async def notify(
        self, uow: UnitOfWork, *, to: str, card: Card, key: str, now: datetime
    ) -> bool:
        await asyncio.sleep(0.005)
        return await super().notify(uow, to=to, card=card, key=key, now=now)


class Crash(SlackNotifier):
    """Dies after queueing its first message, before the cycle commits."""

    async def notify(
        self, uow: UnitOfWork, *, to: str, card: Card, key: str, now: datetime
    ) -> bool:
        await super().notify(uow, to=to, card=card, key=key, now=now)
        raise ConnectionResetError("the process died here")


async def test_two_concurrent_cycles_send_one_message(
    first: Container, second: Container, slack: LocalSlack
) -> None:
    await add_due(first, 1)
    one, other = await asyncio.gather(
        run_job(first, "reminders", now=NOW), run_job(second, "reminders", now=NOW)
    )
    assert one.counts["sent"] + other.counts["sent"] == 1
    assert len(await outbox_keys(first)) == 1
    await asyncio.gather(run_job(first, "outbox", now=NOW), run_job(second, "outbox", now=NOW))
    await asyncio.gather(run_job(first, "reminders", now=NOW), run_job(second, "outbox", now=NOW))
    [sent] = slack.calls_to("chat.postMessage")
    assert sent.args["channel"] == "U1" and "T0" in str(sent.args["blocks"])


async def test_many_reminders_over_two_workers_in_small_batches(
    container: Container, second: Container
) -> None:
    await add_due(container, 40)

    async def cycle(c: Container) -> dict[str, int]:
        return await remind_due(c.uow, notifier=Slow(), now=NOW, default_tz="UTC", batch=5)

    a, b = await asyncio.gather(cycle(container), cycle(second))
    assert a["sent"] + b["sent"] == 40
    keys = await outbox_keys(container)
    assert len(keys) == len(set(keys)) == 40
    assert (await run_job(container, "reminders", now=NOW + timedelta(hours=1))).counts["sent"] == 0


async def test_a_crash_before_commit_leaves_the_reminder_to_the_next_cycle(
    container: Container,
) -> None:
    await add_due(container, 3)
    with pytest.raises(ConnectionResetError):
        await remind_due(container.uow, notifier=Crash(), now=NOW, default_tz="UTC")
    assert await outbox_keys(container) == []
    async with container.engine.connect() as conn:
        tasks = list(await conn.execute(select(TaskRow.remind_at, TaskRow.lease_until)))
    assert all(remind is not None and lease is None for remind, lease in tasks)
    later = NOW + timedelta(minutes=1)
    assert (await run_job(container, "reminders", now=later)).counts["sent"] == 3
    assert len(await outbox_keys(container)) == 3
