"""Scoring's fast reads and writes against the straightforward ones, on SQLite and PostgreSQL.

``order_arrays`` (group_concat BLOBs on SQLite; a binary COPY of the stored columns parsed
by numpy on PostgreSQL) must hand the models exactly what a plain ORM read gives: every
order dated on or before the cut, sorted by client and date, amounts and costs to the cent,
times to the microsecond — on awkward values (pre-2000 and microsecond times, negative and
14-digit amounts, missing costs, clients inserted out of order), across batch boundaries,
and, on PostgreSQL, equal bit for bit to the server-side casts it replaced, which remain
the fallback for a stream it cannot parse. The kept scores' bulk writer must store what the
ORM's insert stores.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from sqlalchemy import insert, select, text

from bot.bootstrap import Container
from domain.scores.arrays import OrderArrays
from domain.scores.explain import all_factors
from domain.scores.factors import Factor
from domain.scores.scorecard import score
from domain.scores.table import records
from storage.models import ClientRow, ClientScoreRow, OrderRow
from storage.repositories import score_orders, score_orders_pg, score_pg_tuples
from storage.repositories.score_orders import order_arrays
from storage.repositories.scores import _row

CUT = datetime(2026, 6, 30, 23, 59, 59, 999_999, tzinfo=UTC)
AWKWARD = [
    Decimal("0.00"), Decimal("0.01"), Decimal("0.10"), Decimal("1.00"), Decimal("99.99"),
    Decimal("10000.00"), Decimal("10000.01"), Decimal("2502.89"), Decimal("-15.30"),
    Decimal("-0.01"), Decimal("123456789012.34"), Decimal("999999999999.99"),
    Decimal("40004.00"), Decimal("4.04"), Decimal("100000000.00"),
]  # fmt: skip


async def seed(container: Container, *, clients: int = 60, seed: int = 3) -> None:
    """Clients inserted in a shuffled order, each with orders in a shuffled order; some
    orders after the cut, some before 2000, some in the same microsecond."""
    rng = random.Random(seed)
    ids = list(range(1, clients + 1))
    rng.shuffle(ids)
    created = datetime(2020, 1, 1, tzinfo=UTC)
    client_rows = [
        {"id": i, "external_id": f"C{i:04d}", "name": f"Client {i}", "name_key": f"client {i}",
         "tags": [], "placeholder": False, "created_at": created, "updated_at": created}
        for i in ids
    ]  # fmt: skip
    orders: list[dict[str, Any]] = []
    for i in ids:
        for _ in range(rng.randint(0, 12)):
            orders.append(_order(rng, i, len(orders) + 1))
    orders.append({**orders[0], "id": len(orders) + 1, "external_id": "twin"})
    rng.shuffle(orders)
    async with container.uow() as uow:
        await uow.session.execute(insert(ClientRow), client_rows)
        await uow.session.execute(insert(OrderRow), orders)
        await uow.commit()


def _order(rng: random.Random, client: int, n: int) -> dict[str, Any]:
    start = datetime(1998, 1, 1, tzinfo=UTC) if rng.random() < 0.1 else CUT - timedelta(800)
    at = start + timedelta(days=rng.uniform(0, 900), microseconds=rng.randint(0, 999_999))
    amount = rng.choice(AWKWARD) if rng.random() < 0.4 else Decimal(rng.randint(0, 10**7)) / 100
    cost = None if rng.random() < 0.3 else amount * Decimal("0.7")
    cost = None if cost is None else cost.quantize(Decimal("0.01"))
    return {"id": n, "external_id": f"O{n:06d}", "client_id": client, "ordered_at": at,
            "amount": amount, "cost": cost}  # fmt: skip


async def straightforward(container: Container) -> OrderArrays:
    """The ORM's reading: rows as Python objects, sorted in SQL."""
    async with container.uow() as uow:
        rows = (
            await uow.session.execute(
                select(OrderRow.client_id, OrderRow.ordered_at, OrderRow.amount, OrderRow.cost)
                .where(OrderRow.ordered_at <= CUT)
                .order_by(OrderRow.client_id, OrderRow.ordered_at)
            )
        ).all()
    micros = [_micros(r.ordered_at) for r in rows]
    return OrderArrays(
        np.array([r.client_id for r in rows], dtype=np.int64),
        np.array(micros, dtype=np.float64) / 86_400e6,
        np.array([float(r.amount) for r in rows]),
        np.array([np.nan if r.cost is None else float(r.cost) for r in rows]),
    )


def _micros(moment: datetime) -> int:
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return (moment - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


async def fast(container: Container) -> OrderArrays:
    async with container.uow() as uow:
        return await order_arrays(uow.session, CUT)


def assert_same(found: OrderArrays, expected: OrderArrays, *, exact: bool = False) -> None:
    assert found.client.size == expected.client.size > 100
    np.testing.assert_array_equal(found.client, expected.client)
    np.testing.assert_array_equal(found.amount, expected.amount)  # to the cent, both floats
    np.testing.assert_array_equal(found.cost, expected.cost)  # NaN where there is none
    if exact:
        np.testing.assert_array_equal(found.day, expected.day)
    else:  # a rounding or two apart (days over 10 000 have ulps of 1.8e-12; 1 µs is 1.2e-11)
        np.testing.assert_allclose(found.day, expected.day, rtol=5e-16, atol=0)
    assert np.all(np.diff(found.client) >= 0)


async def test_the_fast_read_equals_the_orm_read(container: Container) -> None:
    await seed(container)
    expected = await straightforward(container)
    assert_same(await fast(container), expected)
    assert np.any(expected.day < 10_957) and np.any(expected.amount < 0)  # before 2000
    assert np.isnan(expected.cost).any() and expected.amount.max() > 1e11


async def test_small_batches_read_the_same(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batch edges fall inside tuples (PostgreSQL) and between clients (SQLite)."""
    await seed(container, clients=40, seed=8)
    expected = await fast(container)
    monkeypatch.setattr(score_orders, "SQLITE_BATCH", 3)
    monkeypatch.setattr(score_orders, "SPLIT_ROWS", 10)  # two readers
    monkeypatch.setattr(score_orders_pg, "PG_STREAM_BATCH", 97)
    assert_same(await fast(container), expected, exact=True)


async def test_postgresql_raw_stream_equals_the_server_casts(
    pg_container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The parse of the stored columns is bit for bit what ``PG_ORDERS`` computed."""
    await seed(pg_container, clients=80, seed=11)
    fast_read = await fast(pg_container)
    monkeypatch.setattr(score_orders_pg, "parse", lambda data, *, final: None)
    assert_same(fast_read, await fast(pg_container), exact=True)  # the fallback: casts

    def broken(data: bytes, *, final: bool) -> None:
        raise IndexError("a parser bug")

    monkeypatch.setattr(score_orders_pg, "parse", broken)  # a bug falls back too
    assert_same(fast_read, await fast(pg_container), exact=True)


async def test_postgresql_falls_back_on_what_it_cannot_parse(pg_container: Container) -> None:
    """A NaN numeric (PostgreSQL accepts one even in numeric(14, 2)) is not a price the
    parser knows: the whole read is done again with casts, and reads it as no cost."""
    await seed(pg_container, clients=30, seed=4)
    async with pg_container.uow() as uow:
        await uow.session.execute(text("UPDATE orders SET cost = 'NaN' WHERE id = 5"))
        await uow.commit()
    expected = await straightforward(pg_container)  # float(Decimal("NaN")) is NaN too
    assert_same(await fast(pg_container), expected)


def test_the_parser_refuses_a_broken_chain() -> None:
    """A tuple whose length word is wrong breaks the chain: no guessing, None."""
    tuple_ = (
        b"\x00\x04" + b"\x00\x00\x00\x04" + (7).to_bytes(4, "big")
        + b"\x00\x00\x00\x08" + (10**15).to_bytes(8, "big")
        + b"\x00\x00\x00\x0c" + b"\x00\x02\x00\x00\x00\x00\x00\x02" + b"\x09\xc6\x22\xc4"
        + b"\xff\xff\xff\xff"
    )  # fmt: skip
    parsed = score_pg_tuples.parse(tuple_ * 3 + b"\xff\xff", final=True)
    assert parsed is not None
    orders, used = parsed
    assert used == 3 * len(tuple_) and orders.client.tolist() == [7, 7, 7]
    assert orders.amount.tolist() == [2502.89] * 3 and np.isnan(orders.cost).all()
    broken = tuple_[:25] + b"\x0e" + tuple_[26:]  # the amount's length says 14, not 12
    assert score_pg_tuples.parse(tuple_ + broken + b"\xff\xff", final=True) is None
    assert score_pg_tuples.parse(tuple_ * 2, final=True) is None  # no trailer


async def test_kept_scores_are_stored_as_the_orm_stores_them(container: Container) -> None:
    """The bulk writer (COPY / executemany, values through the column types' own bind
    processors) stores what the ORM's insert stores, column for column, factors included."""
    await seed(container, clients=50, seed=6)
    day = CUT.date()
    async with container.uow() as uow:  # lifetime values within numeric(14, 2)
        await uow.session.execute(text("UPDATE orders SET amount = 12.5 WHERE amount > 1e8"))
        await uow.commit()
    async with container.uow() as uow:
        inputs = await uow.scores.inputs(cut=CUT)
    table = score(inputs, horizon=365.0)
    kept = records(table, all_factors(table), as_of=day)
    assert any(r.next_order_expected is None for r in kept) and any(r.factors for r in kept)
    async with container.uow() as uow:
        await uow.scores.save(kept, as_of=day, computed_at=CUT)
        orm = [{**_row(r, CUT), "as_of": day - timedelta(days=1)} for r in kept]
        await uow.session.execute(insert(ClientScoreRow), orm)
        await uow.commit()
    async with container.uow() as uow:
        rows = (await uow.session.execute(text(
            "SELECT * FROM client_scores ORDER BY client_id, as_of"
        ))).mappings().all()  # fmt: skip
    assert len(rows) == 2 * len(kept)
    for by_orm, by_bulk in zip(rows[::2], rows[1::2], strict=True):
        differ = {k for k in by_orm if by_orm[k] != by_bulk[k]}
        assert differ == {"id", "as_of"}, differ
    async with container.uow() as uow:
        back = await uow.scores.latest(kept[0].client_id, on_or_before=day)
    rounded = tuple(Factor.from_json(f.to_json()) for f in kept[0].factors)  # kept to 4 places
    assert back == replace(kept[0], factors=rounded)
