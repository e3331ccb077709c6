"""The approval store's contract, on the in-memory fake, SQLite and PostgreSQL: chains,
copies, and the reads of the waiting list and the quote-expiry cycle."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from bot.bootstrap import Container, build
from domain.approvals.model import ACTIVE, DONE, Chain, ChainFacts, RequestMessage
from domain.approvals.policy import ChainLevel
from domain.model import Client, Invoice, OutboxMessage, Payment, Quote, QuoteStatus, User
from tests.conftest import FixedClock, make_settings
from tests.fakes import FakeUnitOfWorkFactory

NOW = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)


@pytest.fixture
async def container(database_url: str, clock: FixedClock) -> AsyncIterator[Container]:
    built = build(make_settings(database_url), clock=clock)
    try:
        yield built
    finally:
        await built.close()


async def seed(uows: Any) -> dict[str, int]:
    async with uows() as uow:
        await uow.users.upsert_many([User("U1", "Rep"), User("M1", "Boss")])
        await uow.clients.upsert_many([Client("C1", "Acme", credit_limit=Decimal(1000))])
        day = datetime(2026, 10, 1, tzinfo=UTC)
        await uow.invoices.upsert_many(
            [
                Invoice("I-1", "C1", day, day + timedelta(days=30), Decimal(500)),
                Invoice("I-2", "C1", day, day + timedelta(days=30), Decimal(300)),
                Invoice("I-3", "C1", day, day + timedelta(days=30), Decimal(100)),
            ]
        )
        await uow.payments.upsert_many(
            [
                Payment("P-1", "I-1", day, Decimal(200)),
                Payment("P-2", "I-3", day, Decimal(150)),  # overpaid: owes nothing, not less
            ]
        )
        quotes = [
            Quote("Q-1", "C1", "U1", Decimal(10), valid_until=NOW - timedelta(hours=1)),
            Quote("Q-2", "C1", "U1", Decimal(20), valid_until=NOW + timedelta(days=1)),
            Quote("Q-3", "C1", "U1", Decimal(30)),
        ]
        await uow.quotes.upsert_many(quotes)
        ids = {}
        for q in quotes:
            stored = await uow.quotes.get(q.external_id)
            assert stored is not None and stored.id is not None
            ids[q.external_id] = stored.id
        await uow.commit()
    return ids


def chain(quote_id: int, started: datetime) -> Chain:
    level = ChainLevel("manager", "any", ("M1",), ("total >= 1",))
    return Chain(quote_id, 1, (level,), ChainFacts("Acme", headroom=Decimal(5)), started)


async def receivables_and_expiring_quotes(uows: Any) -> None:
    ids = await seed(uows)
    async with uows() as uow:
        assert await uow.approvals.open_receivables("C1") == Decimal(600)  # 300 + 300 + 0
        assert await uow.approvals.open_receivables("NOPE") == Decimal(0)
        assert list(await uow.approvals.pending_past(NOW, limit=10)) == ["Q-1"]
        assert await uow.quotes.set_status(
            ids["Q-1"], QuoteStatus.APPROVED, level=0, expected_version=1
        )
        assert list(await uow.approvals.pending_past(NOW, limit=10)) == []
        assert await uow.approvals.quote_key(ids["Q-2"]) == "Q-2"


async def chains_copies_and_waiting_lists(uows: Any) -> None:
    ids = await seed(uows)
    async with uows() as uow:
        store = uow.approvals
        older = await store.add_chain(chain(ids["Q-2"], NOW - timedelta(hours=30)))
        newer = await store.add_chain(chain(ids["Q-3"], NOW - timedelta(hours=1)))
        assert older.id is not None and newer.id is not None
        for c, key in ((older, "k-old"), (newer, "k-new")):
            await uow.outbox.enqueue(OutboxMessage(key=key, channel="M1", payload={}), now=NOW)
            assert c.id is not None
            await store.add_request(RequestMessage(c.id, 1, "M1", key))
        await uow.commit()
    async with uows() as uow:
        store = uow.approvals
        found, total = await store.waiting_on("M1", limit=1)
        assert total == 2 and [(c.id, key) for c, key in found] == [(older.id, "Q-2")]
        assert (await store.waiting_on("U1", limit=5))[1] == 0
        overdue = await store.overdue(NOW - timedelta(hours=24), limit=10)
        assert [c.id for c in overdue] == [older.id]
        # a copy still queued is rewritten in the queue; a sent one is not
        assert await store.rewrite_unsent("k-old", {"text": "new"})
        claimed = await uow.outbox.claim_due(now=NOW, limit=10, lease_seconds=60)
        for message in claimed:
            assert message.id is not None
            await uow.outbox.mark_sent(message.id, ts="123.456", now=NOW)
        assert not await store.rewrite_unsent("k-new", {"text": "late"})
        (copy,) = await store.requests(newer.id)
        assert (copy.channel, copy.ts) == ("M1", "123.456")
        newer.state, newer.current = DONE, 0
        await store.save_chain(newer)
        copy.pending_payload = {"text": "kept"}
        await store.save_request(copy)
        await uow.commit()
    async with uows() as uow:
        store = uow.approvals
        assert (await store.waiting_on("M1", limit=5))[1] == 1
        assert await store.active_chain(ids["Q-3"]) is None
        latest = await store.latest_chain(ids["Q-3"])
        assert latest is not None and latest.state == DONE
        active = await store.active_chain(ids["Q-2"])
        assert active is not None and active.state == ACTIVE and active.levels == older.levels
        assert active.facts.headroom == Decimal(5)
        (kept,) = await store.unrefreshed(limit=5)
        assert kept.pending_payload == {"text": "kept"} and kept.ts == "123.456"


CHECKS = [receivables_and_expiring_quotes, chains_copies_and_waiting_lists]


@pytest.mark.parametrize("check", CHECKS)
async def test_sql(container: Container, check: Any) -> None:
    await check(container.uow)


@pytest.mark.parametrize("check", CHECKS)
async def test_fake(check: Any) -> None:
    await check(FakeUnitOfWorkFactory())
