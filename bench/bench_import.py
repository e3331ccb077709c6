"""Import speed (issue #9, item 5): `crmbot import orders FILE` against a bare executemany.

One CSV of ``--rows`` orders (for ``--clients`` clients already in the database) is imported
into a fresh, migrated database by the real command (a subprocess: process start, migrations
check, validation pass, write pass, audit) and, as the floor, by a bare ``executemany`` of
the same rows (the CSV read with the csv module, client ids looked up in a dict, one
transaction), on SQLite and PostgreSQL. Each is run ``--runs`` times; medians are reported.

    python bench/bench_import.py --backend sqlite --rows 200000
    python bench/bench_import.py --backend postgresql --pg postgresql+asyncpg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from storage.migrate import upgrade

ROOT = Path(__file__).resolve().parents[1]
START = datetime(2024, 1, 1, tzinfo=UTC)
CLIENT_SQL = (
    "INSERT INTO clients (id, external_id, name, name_key, tags, placeholder, created_at,"
    " updated_at) VALUES ({})"
)
ORDER_SQL = "INSERT INTO orders (external_id, client_id, ordered_at, amount, cost) VALUES ({})"


def write_csv(path: Path, rows: int, clients: int, seed: int) -> None:
    rng = random.Random(seed)
    with path.open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["external_id", "client_external_id", "ordered_at", "amount", "cost"])
        for i in range(1, rows + 1):
            at = START + timedelta(seconds=rng.randrange(0, 2 * 365 * 86_400))
            amount = rng.randrange(1_000, 500_000) / 100
            out.writerow([f"O{i:09d}", f"C{rng.randint(1, clients):06d}",
                          at.strftime("%Y-%m-%dT%H:%M:%SZ"), f"{amount:.2f}",
                          f"{amount * 0.6:.2f}"])  # fmt: skip


def client_rows(clients: int) -> list[tuple[object, ...]]:
    now = datetime(2024, 1, 1)
    return [(i, f"C{i:06d}", f"Client {i}", f"client {i}", "[]", False, now, now)
            for i in range(1, clients + 1)]  # fmt: skip


def csv_rows(path: Path, ids: dict[str, int]) -> list[tuple[object, ...]]:
    """What a bare loader does: read, look up the client, parse the time and money."""
    with path.open(newline="") as f:
        reader = csv.reader(f)
        next(reader)
        return [(x, ids[c], datetime.fromisoformat(t), Decimal(a), Decimal(k))
                for x, c, t, a, k in reader]  # fmt: skip


# ---------------------------------------------------------------- databases


class Sqlite:
    label = "sqlite"

    def __init__(self, tmp: Path, clients: int) -> None:
        self.template = tmp / "template.db"
        upgrade(f"sqlite+aiosqlite:///{self.template}")
        con = sqlite3.connect(self.template)
        with con:
            con.executemany(CLIENT_SQL.format(",".join("?" * 8)), client_rows(clients))
        con.close()
        self.tmp = tmp

    async def fresh(self) -> str:
        path = self.tmp / f"run_{uuid.uuid4().hex[:8]}.db"
        await asyncio.to_thread(shutil.copyfile, self.template, path)
        return f"sqlite+aiosqlite:///{path}"

    async def bare(self, url: str, path: Path) -> int:
        con = sqlite3.connect(make_url(url).database or "", isolation_level=None)
        try:
            ids = dict(con.execute("SELECT external_id, id FROM clients").fetchall())
            rows = [(x, c, t.strftime("%Y-%m-%d %H:%M:%S.%f"), str(a), str(k))
                    for x, c, t, a, k in csv_rows(path, ids)]  # fmt: skip
            con.execute("BEGIN")
            con.executemany(ORDER_SQL.format(",".join("?" * 5)), rows)
            con.execute("COMMIT")
            return int(con.execute("SELECT count(*) FROM orders").fetchone()[0])
        finally:
            con.close()

    async def count(self, url: str) -> int:
        con = sqlite3.connect(make_url(url).database or "")
        try:
            return int(con.execute("SELECT count(*) FROM orders").fetchone()[0])
        finally:
            con.close()

    async def close(self) -> None:
        return None


class Postgres:
    label = "postgresql"

    def __init__(self, server: str, clients: int) -> None:
        self.server, self.clients = server, clients
        self.made: list[str] = []

    def _dsn(self, url: str) -> str:
        return make_url(url).set(drivername="postgresql").render_as_string(False)

    async def fresh(self) -> str:
        name = f"crmbot_bench_import_{uuid.uuid4().hex[:8]}"
        admin = await asyncpg.connect(self._dsn(self.server))
        try:
            await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()
        self.made.append(name)
        url = make_url(self.server).set(database=name).render_as_string(False)
        await asyncio.to_thread(upgrade, url)
        conn = await asyncpg.connect(self._dsn(url))
        try:
            await conn.copy_records_to_table(
                "clients", records=client_rows(self.clients),
                columns=["id", "external_id", "name", "name_key", "tags", "placeholder",
                         "created_at", "updated_at"],
            )  # fmt: skip
            await conn.execute("SELECT setval(pg_get_serial_sequence('clients','id'), $1)",
                               self.clients)  # fmt: skip
            await conn.execute("VACUUM ANALYZE clients")
        finally:
            await conn.close()
        return url

    async def bare(self, url: str, path: Path) -> int:
        conn = await asyncpg.connect(self._dsn(url))
        try:
            ids = {r[0]: r[1] for r in await conn.fetch("SELECT external_id, id FROM clients")}
            rows = csv_rows(path, ids)
            async with conn.transaction():
                await conn.executemany(ORDER_SQL.format("$1,$2,$3,$4,$5"), rows)
            return int(await conn.fetchval("SELECT count(*) FROM orders"))
        finally:
            await conn.close()

    async def count(self, url: str) -> int:
        conn = await asyncpg.connect(self._dsn(url))
        try:
            return int(await conn.fetchval("SELECT count(*) FROM orders"))
        finally:
            await conn.close()

    async def close(self) -> None:
        admin = await asyncpg.connect(self._dsn(self.server))
        try:
            for name in self.made:
                await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


# ---------------------------------------------------------------- runs


def crmbot_import(url: str, path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CRMBOT_"))}
    env |= {"DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "bot.cli", "import", "orders", str(path)],
                          env=env, cwd=ROOT, capture_output=True, text=True)  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"crmbot import failed: {done.stderr[-2000:]}")


async def timed(db: Sqlite | Postgres, run: Callable[[str], Awaitable[None]], rows: int) -> float:
    url = await db.fresh()
    started = time.perf_counter()
    await run(url)
    seconds = time.perf_counter() - started
    if (got := await db.count(url)) != rows:
        raise RuntimeError(f"{got} orders in the database, expected {rows}")
    return seconds


async def measure(db: Sqlite | Postgres, path: Path, empty: Path, args: argparse.Namespace) -> None:
    async def ours(url: str) -> None:
        await asyncio.to_thread(crmbot_import, url, path)

    async def startup(url: str) -> None:
        await asyncio.to_thread(crmbot_import, url, empty)

    async def bare(url: str) -> None:
        await db.bare(url, path)

    floors, cmds, starts = [], [], []
    for _ in range(args.runs):  # interleaved, so that load from others hits both alike
        floors.append(await timed(db, bare, args.rows))
        cmds.append(await timed(db, ours, args.rows))
        starts.append(await timed(db, startup, 1))
    floor, cmd, start = (statistics.median(x) for x in (floors, cmds, starts))
    print(f"| {db.label} | bare executemany | {floor:.2f} | {args.rows / floor:,.0f} | 1.00x |")
    print(f"| {db.label} | crmbot import orders | {cmd:.2f} | {args.rows / cmd:,.0f} "
          f"| {cmd / floor:.2f}x |")  # fmt: skip
    print(f"| {db.label} | (of which start-up: import of a 1-row file) | {start:.2f} | | |")
    print(f"  runs: bare {', '.join(f'{x:.2f}' for x in floors)}; "
          f"crmbot {', '.join(f'{x:.2f}' for x in cmds)}", flush=True)  # fmt: skip


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pg", default=os.environ.get("CRMBOT_PG_URL"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_import_") as name:
        tmp = Path(name)
        path, empty = tmp / "orders.csv", tmp / "one.csv"
        write_csv(path, args.rows, args.clients, args.seed)
        write_csv(empty, 1, args.clients, args.seed)
        if args.backend == "postgresql" and not args.pg:
            parser.error("--backend postgresql needs --pg or CRMBOT_PG_URL")
        db = (
            Sqlite(tmp, args.clients)
            if args.backend == "sqlite"
            else Postgres(args.pg, args.clients)
        )
        print(f"{datetime.now(UTC):%Y-%m-%d}, {args.rows:,} orders for {args.clients:,} "
              f"clients, median of {args.runs}")  # fmt: skip
        print("| backend | loader | seconds | rows/s | vs bare |")
        print("|---|---|---:|---:|---:|")
        try:
            await measure(db, path, empty, args)
        finally:
            await db.close()


if __name__ == "__main__":
    asyncio.run(main())
