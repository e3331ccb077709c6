"""Client search at scale: ``similar``, ``by_prefix`` and ``find_clients`` against a PK lookup.

    python bench/bench_search.py --clients 100000 [--pg postgresql+asyncpg://…/db]

Creates a throwaway database per backend (a temp SQLite file; with ``--pg`` a temporary
database on that server, dropped afterwards), migrates it, inserts N demo clients and
times each query kind over ``--queries`` queries drawn from the data: typos of real
names, name prefixes, and ``/crm find`` texts (words, tags, id prefixes). Prints the
median and p99 in milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from domain.demo_clients import make_clients
from domain.demo_words import COMPANY_CORES, COMPANY_SUFFIXES
from domain.model import Client
from domain.services.resolve import name_key
from storage.db import create_engine, session_factory
from storage.migrate import upgrade_async
from storage.uow import SqlUnitOfWork, SqlUnitOfWorkFactory

BATCH = 5_000
LETTERS = "abcdefghijklmnopqrstuvwxyz"
ONSETS = "b br c ch d f g gr k l m n p r s st t tr v w z".split()
SYLLABLES = [c + v for c in ONSETS for v in "a e i o u an el or is un".split()]


@dataclass
class Queries:
    typos: list[str]
    prefixes: list[str]
    finds: list[str]
    ids: list[int]
    meant: list[str]  # the external id each typo was made from


def make_data(count: int, seed: int, *, names: str = "demo") -> list[Client]:
    """``demo``: the demo-data generator, a few hundred words in every combination (the
    hard case for trigrams); ``varied``: an invented word in each name, as real names have."""
    rng = random.Random(seed)
    now = datetime(2026, 11, 1, tzinfo=UTC)
    days = [rng.uniform(0, 2000) for _ in range(count)]
    clients = make_clients(rng, now=now, owners=["UBENCH"], created_days_ago=days)
    if names == "varied":
        taken: set[str] = set()
        for c in clients:
            c.name = varied_name(rng, taken)
    return clients


def varied_name(rng: random.Random, taken: set[str]) -> str:
    while True:
        brand = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))
        words = [brand.capitalize(), rng.choice(COMPANY_CORES)]
        if rng.random() < 0.6:
            words.append(rng.choice(COMPANY_SUFFIXES))
        name = " ".join(words)
        if name.casefold() not in taken:
            taken.add(name.casefold())
            return name


def typo(rng: random.Random, name: str) -> str:
    chars = list(name)
    at = rng.randrange(1, len(chars) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        del chars[at]
    elif kind == 1:
        chars[at] = rng.choice(LETTERS)
    else:
        chars[at], chars[at + 1] = chars[at + 1], chars[at]
    return "".join(chars)


def make_queries(clients: list[Client], count: int, seed: int) -> Queries:
    rng = random.Random(seed)
    picks = [rng.choice(clients) for _ in range(count)]
    finds = []
    for c in picks:
        words = c.name.split()
        finds.append(
            rng.choice(
                [
                    rng.choice(words),
                    " ".join(words[:2]),
                    c.tags[0] if c.tags else words[0],
                    c.external_id[:4],
                    typo(rng, c.name),
                ]
            )
        )
    return Queries(
        typos=[typo(rng, c.name) for c in picks],
        prefixes=[name_key(c.name)[: rng.randrange(3, 9)] for c in picks],
        finds=finds,
        ids=[rng.randrange(1, len(clients) + 1) for _ in picks],
        meant=[c.external_id for c in picks],
    )


async def load(engine: AsyncEngine, clients: list[Client]) -> float:
    uow_factory = SqlUnitOfWorkFactory(session_factory(engine))
    started = time.perf_counter()
    for start in range(0, len(clients), BATCH):
        async with uow_factory() as uow:
            await uow.clients.upsert_many(clients[start : start + BATCH])
            await uow.commit()
        if engine.dialect.name != "sqlite":
            # fresh statistics as the table grows, or the import's own lookups degrade to scans
            async with engine.begin() as conn:
                await conn.execute(text("ANALYZE clients"))
    async with engine.connect() as conn:
        # what autovacuum / a DBA does after a bulk load: statistics, GIN pending list merged
        autocommit = await conn.execution_options(isolation_level="AUTOCOMMIT")
        statement = "ANALYZE" if engine.dialect.name == "sqlite" else "VACUUM ANALYZE clients"
        await autocommit.execute(text(statement))
    return time.perf_counter() - started


async def timed(calls: list[Callable[[], Awaitable[object]]]) -> list[float]:
    spent = []
    for call in calls:
        started = time.perf_counter()
        await call()
        spent.append((time.perf_counter() - started) * 1000)
    return spent


def report(label: str, ms: list[float]) -> str:
    ordered = sorted(ms)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return f"  {label:<14} median {statistics.median(ms):7.2f} ms   p99 {p99:7.2f} ms"


async def measure(uow: SqlUnitOfWork, q: Queries) -> list[str]:
    search = uow.search
    kinds: dict[str, list[Callable[[], Awaitable[object]]]] = {
        "pk lookup": [lambda i=i: uow.clients.get_by_id(i) for i in q.ids],
        "similar": [lambda t=t: search.similar(t, limit=5) for t in q.typos],
        "by_prefix": [lambda p=p: search.by_prefix(p, limit=6) for p in q.prefixes],
        "find_clients": [lambda t=t: search.find_clients(t, limit=10) for t in q.finds],
    }
    for calls in kinds.values():  # warm caches and prepared statements once
        await timed(calls[:10])
    lines = [report(label, await timed(calls)) for label, calls in kinds.items()]
    first = offered = 0
    for typed, meant in zip(q.typos, q.meant, strict=True):
        found = [m.client.external_id for m in await search.similar(typed, limit=5)]
        first += found[:1] == [meant]
        offered += meant in found
    lines.append(f"  typo'd names: meant client first {first}/{len(q.typos)}, offered {offered}")
    return lines


async def run(label: str, url: str, clients: list[Client], q: Queries) -> None:
    await upgrade_async(url)
    engine = create_engine(url)
    try:
        seconds = await load(engine, clients)
        print(f"{label}: {len(clients)} clients loaded in {seconds:.1f} s")
        async with SqlUnitOfWorkFactory(session_factory(engine))() as uow:
            for line in await measure(uow, q):
                print(line)
    finally:
        await engine.dispose()


async def with_pg_database(server_url: str, body: Callable[[str], Awaitable[None]]) -> None:
    name = f"crmbot_bench_{uuid.uuid4().hex[:10]}"
    admin = create_async_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            await body(make_url(server_url).set(database=name).render_as_string(False))
        finally:
            async with admin.connect() as conn:
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


async def on_each_backend(
    body: Callable[[str, str], Awaitable[None]], *, pg: str | None, sqlite: bool = True
) -> None:
    """Run ``body(label, url)`` on a throwaway SQLite file (unless ``sqlite`` is False),
    then on a throwaway PostgreSQL database beside ``pg`` when given."""
    if sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            await body("sqlite", f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}")
    if pg:
        await with_pg_database(pg, lambda url: body("postgresql", url))


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--pg", help="a PostgreSQL URL; a temporary database is made beside it")
    parser.add_argument("--names", choices=("demo", "varied"), default="demo")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    clients = make_data(args.clients, args.seed, names=args.names)
    q = make_queries(clients, args.queries, args.seed)
    print(f"{args.queries} queries of each kind over {args.clients} clients ({args.names} names)")
    await on_each_backend(
        lambda label, url: run(label, url, clients, q), pg=args.pg, sqlite=not args.no_sqlite
    )


if __name__ == "__main__":
    asyncio.run(main())
