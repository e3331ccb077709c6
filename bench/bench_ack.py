"""Ack latency under load (issue #9, item 1): signed /crm commands against `crmbot serve`.

This process is the load generator and the Slack stand-in; `crmbot serve` (with
``--no-scheduler``) runs as a real subprocess on loopback, its Web API pointed at the
stand-in. At each concurrency level, that many clients each keep one command in flight for
``--seconds``, alternating ``/crm health CLIENT`` and ``/crm log call CLIENT: …`` on random
clients and random users: a client sends its next command once the reply to its last one
reached the stand-in (as a user waits to read it), so the server never holds more than
``concurrency`` commands. Measured per level: completed commands per second, the ack latency (the
HTTP response time of the signed request) and the time until the user's reply reaches the
stand-in (the ack body when it carries the reply, else the response_url post, matched by
its name, or chat.postEphemeral), and errors. The baseline is a bare Bolt AsyncApp on
aiohttp that only acks, in its own subprocess, under the same load in the same run.

    python bench/bench_ack.py --backend sqlite --levels 10,50,200 --seconds 20
    python bench/bench_ack.py --backend postgresql --pg postgresql+asyncpg://postgres@127.0.0.1:5432/test

The data (100,000 clients, 2,000,000 orders, 1,000,000 activities by default) is built once
and kept: SQLite under ``--cache`` (default /work/bench_cache), PostgreSQL in the database
``--pg-database`` (default crmbot_bench_ack), both keyed by the sizes and the seed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import numpy as np
from bench_data import load_postgres, load_sqlite, make_orders, on_postgres, origin_for

from bot.localslack import Call, LocalSlack, sign_request, slash_command_body
from storage.migrate import upgrade

SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench"
ROOT = Path(__file__).resolve().parents[1]
AS_OF = datetime(2026, 11, 1, tzinfo=UTC)
USERS = [f"UBENCH{i:03d}" for i in range(50)]
KINDS = ("call", "email", "meeting", "note")
REPLY_TIMEOUT = 30.0  # a reply later than this counts as "no reply"


# ---------------------------------------------------------------- data


def _activity_rows(clients: int, count: int, seed: int) -> Iterator[tuple[Any, ...]]:
    rng = np.random.default_rng(seed)
    client = np.sort(rng.integers(1, clients + 1, count)).tolist()  # index-friendly order
    kind = rng.integers(0, len(KINDS), count).tolist()
    days = rng.uniform(0, 3 * 365, count)
    base = AS_OF - timedelta(days=3 * 365)
    for i in range(count):
        at = base + timedelta(days=float(days[i]))
        yield (i + 1, client[i], KINDS[kind[i]], f"bench note {i + 1}", at, "slash", at)


ACTIVITY_SQL = (
    "INSERT INTO activities (id, client_id, type, notes, occurred_at, source, created_at)"
    " VALUES (?,?,?,?,?,?,?)"
)


def load_activities_sqlite(path: str, clients: int, count: int, seed: int) -> None:
    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute("PRAGMA synchronous=OFF")
        con.execute("PRAGMA cache_size=-1000000")  # 1 GB: the indexes stay in memory
        con.execute("BEGIN")
        rows = (
            (
                *r[:4],
                r[4].strftime("%Y-%m-%d %H:%M:%S.%f"),
                r[5],
                r[6].strftime("%Y-%m-%d %H:%M:%S.%f"),
            )
            for r in _activity_rows(clients, count, seed)
        )
        con.executemany(ACTIVITY_SQL, rows)
        con.execute("COMMIT")
        con.execute("ANALYZE")
    finally:
        con.close()


async def load_activities_pg(dsn: str, clients: int, count: int, seed: int) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.copy_records_to_table(
            "activities",
            records=_activity_rows(clients, count, seed),
            columns=["id", "client_id", "type", "notes", "occurred_at", "source", "created_at"],
        )
        await conn.execute("SELECT setval(pg_get_serial_sequence('activities', 'id'), $1)", count)
        await conn.execute("SELECT setval(pg_get_serial_sequence('clients', 'id'), $1)", clients)
        await conn.execute("SELECT setval(pg_get_serial_sequence('orders', 'id'), "
                           "(SELECT max(id) FROM orders))")  # fmt: skip
        await conn.execute("VACUUM ANALYZE activities")
    finally:
        await conn.close()


def sqlite_data(args: argparse.Namespace, key: str) -> str:
    args.cache.mkdir(parents=True, exist_ok=True)
    path = args.cache / f"bench_ack_{key}.db"
    if not path.exists():
        building = path.with_suffix(".building")
        building.unlink(missing_ok=True)
        upgrade(f"sqlite+aiosqlite:///{building}")
        started = time.perf_counter()
        sim = make_orders(args.clients, args.orders, args.seed)
        load_sqlite(str(building), args.clients, sim, origin_for(AS_OF))
        load_activities_sqlite(str(building), args.clients, args.activities, args.seed)
        building.rename(path)
        print(f"sqlite: built {path} in {time.perf_counter() - started:.0f} s", flush=True)
    # every run starts from the same data: the runs add activities and audit rows
    work = args.cache / f"bench_ack_{key}.run.db"
    subprocess.run(["cp", "--sparse=always", str(path), str(work)], check=True)
    for suffix in ("-wal", "-shm"):
        Path(f"{work}{suffix}").unlink(missing_ok=True)
    url = f"sqlite+aiosqlite:///{work}"
    upgrade(url)
    return url


# ---------------------------------------------------------------- the two servers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bare_server(port: int) -> None:
    """The baseline: a Bolt AsyncApp on aiohttp that verifies the signature and only acks."""
    from aiohttp import web
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    client = AsyncWebClient(token=TOKEN, base_url=os.environ["SLACK_API_URL"])
    app = AsyncApp(signing_secret=SECRET, client=client)

    @app.command("/crm")
    async def crm(ack: Any) -> None:
        await ack()

    web.run_app(app.web_app(path="/slack/events"), host="127.0.0.1", port=port,
                access_log=None, print=None)  # fmt: skip


@dataclass
class Server:
    label: str
    argv: list[str]
    env: dict[str, str]
    log: Path
    proc: subprocess.Popen[bytes] | None = None
    port: int = field(default_factory=free_port)

    async def __aenter__(self) -> Server:
        out = self.log.open("wb")
        argv = [a.replace("{port}", str(self.port)) for a in self.argv]
        self.proc = await asyncio.to_thread(
            subprocess.Popen, argv, env=self.env, stdout=out, stderr=out, cwd=ROOT
        )
        await wait_listening(self.port, self.proc, self.log)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/slack/events"


async def wait_listening(port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited ({proc.returncode}); see {log}")
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            await asyncio.sleep(0.2)
    raise RuntimeError(f"server did not listen in time; see {log}")


# ---------------------------------------------------------------- stand-in and load


class TimedSlack(LocalSlack):
    """LocalSlack that notes when each reply arrived, by response_url name / ephemeral user."""

    def __init__(self) -> None:
        super().__init__(tokens=[TOKEN])
        self.arrived: dict[str, float] = {}
        self.ephemeral: list[tuple[str, float]] = []
        self.failed: dict[str, str] = {}  # response_url name: the error reply's text
        self.waiting: dict[str, asyncio.Event] = {}

    async def reply(self, name: str, timeout: float) -> None:  # noqa: ASYNC109
        """Until the reply sent to response_url ``name`` arrived (or ``timeout`` passed)."""
        if name in self.arrived:
            return
        event = self.waiting.setdefault(name, asyncio.Event())
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except TimeoutError:
            pass
        finally:
            self.waiting.pop(name, None)

    async def _record(self, call: Call, answer: dict[str, Any]) -> None:
        now = time.perf_counter()
        if name := answer.get("response_url"):
            self.arrived.setdefault(name, now)
            if ":warning:" in str(call.args.get("blocks")):
                self.failed[name] = str(call.args.get("text"))[:80]
            if event := self.waiting.get(name):
                event.set()
        elif call.method == "chat.postEphemeral":
            self.ephemeral.append((str(call.args.get("user")), now))
        if len(self.calls) < 10_000:  # keep the first calls only: memory stays flat
            await super()._record(call, answer)


@dataclass
class Sent:
    name: str
    started: float
    acked: float | None = None
    status: int = 0
    replied_in_ack: bool = False
    error: str | None = None


def command_text(rng: random.Random, clients: int, n: int) -> str:
    client = f"B{rng.randint(1, clients):07d}"
    if n % 2:
        return f"health {client}"
    return f"log call {client}: bench call {n}, talked about the next order"


async def worker(http: aiohttp.ClientSession, url: str, slack: TimedSlack, *, until: float,
                 clients: int, seed: int, out: list[Sent], expect_reply: bool) -> None:  # fmt: skip
    """One client: a command, its ack, its reply (when one is expected), the next command."""
    rng = random.Random(seed)
    n = 0
    while time.perf_counter() < until:
        n += 1
        name = f"r{seed}-{n}-{uuid.uuid4().hex[:8]}"
        body = slash_command_body(
            text=command_text(rng, clients, n),
            user_id=rng.choice(USERS),
            channel_id="C0BENCH",
            response_url=slack.response_url(name),
        )
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        headers |= sign_request(SECRET, body)
        sent = Sent(name, time.perf_counter())
        out.append(sent)
        try:
            async with http.post(url, data=body, headers=headers) as response:
                text = await response.text()
                sent.acked, sent.status = time.perf_counter(), response.status
                sent.replied_in_ack = text.startswith("{") and (
                    '"text"' in text or '"blocks"' in text
                )
                if ":warning:" in text:
                    sent.error = "error reply in ack"
                if response.status != 200:
                    sent.error = f"HTTP {response.status}"
        except (aiohttp.ClientError, TimeoutError) as exc:
            sent.error = type(exc).__name__
        if expect_reply and sent.error is None and not sent.replied_in_ack:
            await slack.reply(name, REPLY_TIMEOUT)


@dataclass
class Level:
    label: str
    concurrency: int
    completed: int
    seconds: float
    ack: list[float]
    reply: list[float]
    errors: dict[str, int]
    peak_rss_mb: float = float("nan")  # the server process's peak so far (VmHWM)

    @property
    def throughput(self) -> float:
        return self.completed / self.seconds


async def run_level(url: str, slack: TimedSlack, *, label: str, concurrency: int,
                    seconds: float, clients: int, expect_reply: bool) -> Level:  # fmt: skip
    sent: list[Sent] = []
    connector = aiohttp.TCPConnector(limit=concurrency + 10)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        started = time.perf_counter()
        until = started + seconds
        await asyncio.gather(*(
            worker(http, url, slack, until=until, clients=clients, seed=i * 7919 + concurrency,
                   out=sent, expect_reply=expect_reply)
            for i in range(concurrency)
        ))  # fmt: skip
    return summarise(sent, slack, label=label, concurrency=concurrency, started=started,
                     expect_reply=expect_reply)  # fmt: skip


def summarise(sent: list[Sent], slack: TimedSlack, *, label: str, concurrency: int,
              started: float, expect_reply: bool) -> Level:  # fmt: skip
    acks, replies, errors, last = [], [], {}, started
    for s in sent:
        if s.error is not None or s.acked is None:
            errors[s.error or "no ack"] = errors.get(s.error or "no ack", 0) + 1
            continue
        acks.append(s.acked - s.started)
        if not expect_reply or s.replied_in_ack:
            done = s.acked
        elif s.name in slack.failed:
            reason = f"error reply: {slack.failed[s.name]}"
            errors[reason] = errors.get(reason, 0) + 1
            continue
        elif s.name in slack.arrived:
            done = slack.arrived[s.name]
        else:
            errors["no reply"] = errors.get("no reply", 0) + 1
            continue
        replies.append(done - s.started)
        last = max(last, done)
    return Level(label, concurrency, len(replies), last - started, acks, replies, errors)


def peak_rss_mb(server: Server) -> float:
    """The process's peak resident set since it started (Linux ``VmHWM``), in MB."""
    if server.proc is None:
        return float("nan")
    for row in Path(f"/proc/{server.proc.pid}/status").read_text().splitlines():
        if row.startswith("VmHWM:"):
            return int(row.split()[1]) / 1024
    return float("nan")


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return float(np.percentile(np.array(values) * 1000, q))


def line(level: Level) -> str:
    a, r = level.ack, level.reply
    errs = ", ".join(f"{k}: {v}" for k, v in sorted(level.errors.items())) or "0"
    return (f"| {level.label} | {level.concurrency} | {level.throughput:.0f} | "
            f"{pct(a, 50):.0f} / {pct(a, 99):.0f} / {pct(a, 100):.0f} | "
            f"{pct(r, 50):.0f} / {pct(r, 99):.0f} / {pct(r, 100):.0f} | {errs} | "
            f"{level.peak_rss_mb:.0f} |")  # fmt: skip


# ---------------------------------------------------------------- main


def serve_env(database_url: str, slack: TimedSlack) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CRMBOT_"))}
    return env | {
        "DATABASE_URL": database_url,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_API_URL": slack.api_url,
        "PYTHONPATH": str(ROOT),
    }


async def bench(args: argparse.Namespace, database_url: str) -> None:
    levels = [int(x) for x in args.levels.split(",")]
    logs = Path(args.logs)
    await asyncio.to_thread(logs.mkdir, parents=True, exist_ok=True)
    async with TimedSlack() as slack:
        for uid in USERS:
            slack.users[uid] = {"real_name": f"Bench {uid}", "tz": "Europe/Paris"}
        env = serve_env(database_url, slack)
        serve = [sys.executable, *args.serve.split(), "--port", "{port}", "--no-scheduler"]
        crm = Server("crmbot", serve, env, logs / f"serve_{args.backend}.log")
        bare = Server("bare Bolt", [sys.executable, __file__, "--bare-server", "{port}"], env,
                      logs / "bare.log")  # fmt: skip
        results: list[tuple[Level, Level]] = []
        async with crm, bare:
            print(f"crmbot serve pid {crm.proc.pid if crm.proc else '?'}", flush=True)
            # warm both: first requests load the policy, the ORM, connections
            await run_level(crm.url, slack, label="warm", concurrency=4, seconds=3,
                            clients=args.clients, expect_reply=True)  # fmt: skip
            await run_level(bare.url, slack, label="warm", concurrency=4, seconds=1,
                            clients=args.clients, expect_reply=False)  # fmt: skip
            for c in levels:
                base = await run_level(bare.url, slack, label="bare Bolt (ack only)",
                                       concurrency=c, seconds=args.seconds,
                                       clients=args.clients, expect_reply=False)  # fmt: skip
                base.peak_rss_mb = peak_rss_mb(bare)
                print(line(base), flush=True)
                spy = profile(args, crm, c)
                ours = await run_level(crm.url, slack, label=f"crmbot serve ({args.backend})",
                                       concurrency=c, seconds=args.seconds,
                                       clients=args.clients, expect_reply=True)  # fmt: skip
                ours.peak_rss_mb = peak_rss_mb(crm)
                print(line(ours), f"throughput {ours.throughput / base.throughput:.2f}x bare",
                      flush=True)  # fmt: skip
                if spy is not None:
                    spy.wait()
                results.append((base, ours))
        print_table(results, args)
        if slack.violations:
            print("Block Kit violations:", slack.violations[:5])


def profile(args: argparse.Namespace, crm: Server, level: int) -> subprocess.Popen[bytes] | None:
    """py-spy on the serve process for the level (``--profile DIR``: collapsed stacks)."""
    if args.profile is None or crm.proc is None:
        return None
    args.profile.mkdir(parents=True, exist_ok=True)
    out = args.profile / f"serve_{args.backend}_{level}.txt"
    spy = Path(sys.executable).with_name("py-spy")
    argv = [str(spy), "record", "--pid", str(crm.proc.pid), "--duration", str(int(args.seconds)),
            "--format", "raw", "--rate", "50", "--idle", "-o", str(out)]  # fmt: skip
    return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def print_table(results: list[tuple[Level, Level]], args: argparse.Namespace) -> None:
    print()
    print(f"{datetime.now(UTC):%Y-%m-%d}, {args.backend}, {args.seconds:g} s a level, "
          f"{args.clients:,} clients / {args.orders:,} orders / "
          f"{args.activities:,} activities")  # fmt: skip
    print(
        "| server | concurrent | completed/s | ack p50 / p99 / max ms "
        "| reply p50 / p99 / max ms | errors | peak RSS MB |"
    )
    print("|---|---:|---:|---|---|---|---:|")
    for base, ours in results:
        print(line(base))
        print(line(ours))
    print()
    print("| concurrent | throughput vs bare | ack p99 vs bare |")
    print("|---:|---:|---:|")
    for base, ours in results:
        print(f"| {ours.concurrency} | {ours.throughput / base.throughput:.2f}x "
              f"| {pct(ours.ack, 99) / pct(base.ack, 99):.1f}x |")  # fmt: skip


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--levels", default="10,50,200")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=2_000_000)
    parser.add_argument("--activities", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cache", type=Path, default=Path("/work/bench_cache"))
    parser.add_argument("--pg", default=os.environ.get("CRMBOT_PG_URL"),
                        help="a PostgreSQL server URL (default: $CRMBOT_PG_URL)")  # fmt: skip
    parser.add_argument("--pg-database", default="crmbot_bench_ack")
    parser.add_argument("--logs", default="/tmp/bench_ack")
    parser.add_argument("--serve", default="-m bot.cli serve",
                        help="how python starts the server (to try a variant)")  # fmt: skip
    parser.add_argument("--build-only", action="store_true", help="build the data and stop")
    parser.add_argument("--profile", type=Path, help="py-spy the serve process into this dir")
    args = parser.parse_args()
    key = f"{args.clients}_{args.orders}_{args.activities}_{args.seed}"
    if args.backend == "sqlite":
        url = sqlite_data(args, key)
        if not args.build_only:
            await bench(args, url)
        return
    if not args.pg:
        parser.error("--backend postgresql needs --pg or CRMBOT_PG_URL")

    async def load(url: str, dsn: str) -> None:
        upgrade(url)
        started = time.perf_counter()
        sim = make_orders(args.clients, args.orders, args.seed)
        await load_postgres(dsn, args.clients, sim, origin_for(AS_OF))
        await load_activities_pg(dsn, args.clients, args.activities, args.seed)
        print(f"postgresql: loaded in {time.perf_counter() - started:.0f} s", flush=True)

    async def body(url: str, dsn: str) -> None:
        upgrade(url)
        if not args.build_only:
            await bench(args, url)

    await on_postgres(args.pg, load, body, keep=args.pg_database, key=key)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--bare-server":
        bare_server(int(sys.argv[2]))
    else:
        asyncio.run(main())
