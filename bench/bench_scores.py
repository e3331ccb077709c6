"""Scoring at scale: ``crmbot scores`` end to end against one bare aggregate query.

    python bench/bench_scores.py --clients 100000 --orders 5000000 [--pg postgresql+asyncpg://…]

Builds a throwaway database per backend (a temp SQLite file; with ``--pg`` a temporary
database on that server, dropped afterwards), migrates it and bulk-loads simulated clients
and orders (``bench/bench_data.py``). Then, ``--runs`` times each, alternating:

- the floor: ``SELECT client_id, count(*), sum(amount) FROM orders WHERE ordered_at <= ?
  GROUP BY client_id`` on the raw driver (sqlite3 / asyncpg), rows fetched;
- ``crmbot scores --as-of DATE`` as a subprocess (interpreter start, imports, migration
  check, reads, models, CSV to /dev/null), with the child's peak RSS;
- the same scoring in-process, split into reading, computing and writing the CSV.

Prints the medians and the ratios to the floor.

Building the data takes a while at full size; ``--cache DIR`` keeps the SQLite file there
and ``--pg-database NAME`` keeps the PostgreSQL database (both keyed by clients, orders and
seed, and reused by the next run with the same sizes; drop the database yourself).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
from bench_data import (  # bench/ is on the path
    load_postgres,
    load_sqlite,
    make_orders,
    on_postgres,
    origin_for,
)

from domain.scores.arrays import OrderArrays
from storage.migrate import upgrade

AS_OF = "2026-11-01"
CUT = datetime(2026, 11, 1, 23, 59, 59, 999_999, tzinfo=UTC)
FLOOR = (
    "SELECT client_id, count(*), sum(amount) FROM orders WHERE ordered_at <= {p} GROUP BY client_id"
)
ROOT = Path(__file__).resolve().parents[1]


def cli_run(url: str) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of one ``crmbot scores`` run."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CRMBOT_"))}
    env["DATABASE_URL"] = url
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "scores", "--as-of", AS_OF],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    _, status, usage = os.wait4(child.pid, 0)
    spent = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"crmbot scores failed with {child.returncode}")
    return spent, usage.ru_maxrss / 1024


async def in_process(url: str) -> dict[str, float]:
    """The scoring's phases without the interpreter start: read, compute, write."""
    from bot.bootstrap import build
    from bot.cli_scores import render_csv
    from bot.settings import Settings
    from domain.scores.scorecard import score
    from domain.scores.table import sorted_columns

    container = build(Settings(_env_file=None, DATABASE_URL=url))
    try:
        t0 = time.perf_counter()
        async with container.uow() as uow:
            inputs = await uow.scores.inputs(cut=CUT)
        t1 = time.perf_counter()
        table = score(inputs, horizon=365.0)
        t2 = time.perf_counter()
        io.StringIO().write(render_csv(sorted_columns(table)))
        t3 = time.perf_counter()
    finally:
        await container.close()
    return {"read": t1 - t0, "compute": t2 - t1, "write": t3 - t2, "total": t3 - t0}


def report(label: str, floors: list[float], runs: list[tuple[float, float]],
           phases: list[dict[str, float]]) -> None:  # fmt: skip
    floor = statistics.median(floors)
    wall = statistics.median(r[0] for r in runs)
    parts = {k: statistics.median(p[k] for p in phases) for k in phases[0]}
    print(f"{label}: floor query median {floor:.2f} s over {len(floors)} runs")
    print(f"  crmbot scores end to end: median {wall:.2f} s = {wall / floor:.1f}× the floor; "
          f"peak RSS {max(r[1] for r in runs):.0f} MB")  # fmt: skip
    print(f"  in-process: read {parts['read']:.2f} s, compute {parts['compute']:.2f} s, "
          f"write CSV {parts['write']:.2f} s; total {parts['total']:.2f} s = "
          f"{parts['total'] / floor:.1f}× the floor")  # fmt: skip


async def measure(label: str, url: str, floor: Callable[[], Awaitable[float]], runs: int) -> None:
    await floor()  # warm the caches once, as the runs after it will find them
    cli_run(url)
    floors, walls, phases = [], [], []
    for _ in range(runs):
        floors.append(await floor())
        walls.append(cli_run(url))
        phases.append(await in_process(url))
    report(label, floors, walls, phases)


def sqlite_floor(path: Path) -> Callable[[], Awaitable[float]]:
    async def run() -> float:
        con = sqlite3.connect(path)
        try:
            started = time.perf_counter()
            cut = CUT.strftime("%Y-%m-%d %H:%M:%S.%f")
            con.execute(FLOOR.format(p="?"), (cut,)).fetchall()
            return time.perf_counter() - started
        finally:
            con.close()

    return run


def pg_floor(dsn: str) -> Callable[[], Awaitable[float]]:
    async def run() -> float:
        conn = await asyncpg.connect(dsn)
        try:
            started = time.perf_counter()
            await conn.fetch(FLOOR.format(p="$1"), CUT)
            return time.perf_counter() - started
        finally:
            await conn.close()

    return run


async def on_sqlite(sim: Callable[[], OrderArrays], clients: int, runs: int,
                    cache: Path | None, key: str) -> None:  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        path = (cache or Path(tmp)) / f"bench_scores_{key}.db"
        url = f"sqlite+aiosqlite:///{path}"
        if not path.exists():
            building = path.with_suffix(".building")
            building.unlink(missing_ok=True)
            upgrade(f"sqlite+aiosqlite:///{building}")
            started = time.perf_counter()
            load_sqlite(str(building), clients, sim(), origin_for(CUT))
            building.rename(path)
            print(f"sqlite: loaded in {time.perf_counter() - started:.1f} s")
        upgrade(url)
        await measure("sqlite", url, sqlite_floor(path), runs)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=5_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pg", help="a PostgreSQL URL; a temporary database is made beside it")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--cache", type=Path, help="a directory to keep the SQLite data in")
    parser.add_argument("--pg-database", help="keep the PostgreSQL data in this database")
    args = parser.parse_args()
    key = f"{args.clients}_{args.orders}_{args.seed}"
    made: list[OrderArrays] = []

    def sim() -> OrderArrays:
        if not made:
            started = time.perf_counter()
            made.append(make_orders(args.clients, args.orders, args.seed))
            print(f"{args.clients:,} clients, {made[0].client.size:,} orders simulated in "
                  f"{time.perf_counter() - started:.1f} s; as of {AS_OF}")  # fmt: skip
        return made[0]

    if not args.no_sqlite:
        await on_sqlite(sim, args.clients, args.runs, args.cache, key)
    if args.pg:

        async def load(url: str, dsn: str) -> None:
            upgrade(url)
            started = time.perf_counter()
            await load_postgres(dsn, args.clients, sim(), origin_for(CUT))
            print(f"postgresql: loaded in {time.perf_counter() - started:.1f} s")

        async def body(url: str, dsn: str) -> None:
            upgrade(url)
            await measure("postgresql", url, pg_floor(dsn), args.runs)

        await on_postgres(args.pg, load, body, keep=args.pg_database, key=key)


if __name__ == "__main__":
    asyncio.run(main())
