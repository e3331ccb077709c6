"""Which requests were seen before: Slack's retries (and replays) are dropped before the ack.

Every request's key is written before it is acked, so on SQLite each ack needs a turn
at the single write lock, behind the commands at work. Under a burst, one transaction a
request made acks wait in that queue for hundreds of milliseconds (BENCHMARKS.md, "Ack
latency under load"). The ledger writes the keys that arrive while a write is under way
together, in the next single ``INSERT … ON CONFLICT DO NOTHING RETURNING`` and commit (a
group commit): as many turns at the lock as there are batches, not requests. Alone, a
request waits for nothing more than before.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from domain.ports import UnitOfWorkFactory

logger = logging.getLogger(__name__)


class RequestLedger:
    def __init__(self, uows: UnitOfWorkFactory, clock: Callable[[], datetime]) -> None:
        self._uows, self._clock = uows, clock
        self._queued: list[tuple[str, asyncio.Future[bool]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def first_time(self, key: str) -> bool:
        """True the first time ``key`` is seen (in this batch or any earlier one)."""
        answer: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._queued.append((key, answer))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_batches())
        return await answer

    async def _write_batches(self) -> None:
        while self._queued:
            batch, self._queued = self._queued, []
            try:
                fresh = await self._write([key for key, _ in batch])
            except Exception as exc:  # each waiting request fails as its own write would
                for _, answer in batch:
                    if not answer.done():
                        answer.set_exception(exc)
                continue
            for key, answer in batch:
                first = key in fresh
                fresh.discard(key)  # the same key twice in one batch: only the first is new
                if not answer.done():
                    answer.set_result(first)

    async def _write(self, keys: list[str]) -> set[str]:
        async with self._uows() as uow:
            fresh = await uow.requests.first_times(keys, now=self._clock())
            await uow.commit()
        if len(keys) > 1:
            logger.debug("request ledger: %d keys in one write", len(keys))
        return fresh
