"""The request ledger: retries found before the ack, keys written in batches."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.slack.request_ledger import RequestLedger
from storage.db import create_engine, session_factory
from storage.uow import SqlUnitOfWork, SqlUnitOfWorkFactory

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


class CountingUows(SqlUnitOfWorkFactory):
    opened = 0

    def __call__(self, *, read_only: bool = False) -> SqlUnitOfWork:
        self.opened += 1
        return super().__call__(read_only=read_only)


@pytest.fixture
async def uows(database_url: str) -> AsyncIterator[CountingUows]:
    engine = create_engine(database_url)
    yield CountingUows(session_factory(engine))
    await engine.dispose()


async def test_a_burst_is_written_in_few_batches_and_each_key_is_new_once(
    uows: CountingUows,
) -> None:
    ledger = RequestLedger(uows, lambda: NOW)
    assert await ledger.first_time("seen-before")
    uows.opened = 0
    keys = [f"k{i % 20}" for i in range(40)] + ["seen-before"]

    answers = await asyncio.gather(*(ledger.first_time(k) for k in keys))

    firsts = [k for k, first in zip(keys, answers, strict=True) if first]
    assert sorted(firsts) == sorted(f"k{i}" for i in range(20))  # each once, the retry not
    assert uows.opened <= 3  # one batch for the first key, one for the rest (or a few)
    assert not await ledger.first_time("k7")


async def test_a_failed_write_fails_every_request_waiting_on_it(uows: CountingUows) -> None:
    ledger = RequestLedger(uows, lambda: NOW)
    await uows.sessions.kw["bind"].dispose()

    async def broken(*_: object, **__: object) -> set[str]:
        raise ConnectionError("database went away")

    ledger._write = broken  # type: ignore[method-assign]
    results = await asyncio.gather(
        *(ledger.first_time(f"x{i}") for i in range(5)), return_exceptions=True
    )
    assert all(isinstance(r, ConnectionError) for r in results)
    ledger._write = RequestLedger._write.__get__(ledger)  # type: ignore[method-assign]
    assert await ledger.first_time("after")  # the next request is written again
