"""The message shortcut's picker, its opening and the App Home, end to end at scale.

    python bench/bench_home.py --clients 100000 [--pg postgresql+asyncpg://…/db]

Per backend: a throwaway database (as ``bench_search.py`` makes) with N demo clients
shared round-robin by ``--owners`` reps (default 1, the worst case for the Home: every
client is "mine"; the Home measured is the first rep's) and a day of kept scores for
each; then the real aiohttp app with its Web API pointed at the local Slack stand-in,
and signed requests timed from send to answer:

- typeahead: a ``block_suggestion`` for the client picker (prefixes and typo'd names),
  timed to its HTTP answer (Slack's limit is 3 s; the target is 1 s);
- shortcut: a ``message_action`` on a message, timed to the ``views.open`` call reaching
  the stand-in (Slack's trigger expires after 3 s);
- home: ``app_home_opened``, timed to the ``views.publish`` call reaching the stand-in.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import aiohttp
from aiohttp import web
from bench_search import (  # bench/ is on the path
    load,
    make_data,
    make_queries,
    on_each_backend,
    report,
)

from bot.bootstrap import Container, build
from bot.localslack import LocalSlack, interaction_body, sign_request
from bot.settings import Settings
from bot.slack.app import build_slack_app
from bot.web import build_web_app
from domain.model import Client, User
from domain.scores.factors import Factor
from domain.scores.record import ScoreRecord
from storage.migrate import upgrade_async

SECRET = "bench-secret"
OWNER = "UBENCH"
NOW = datetime(2026, 11, 1, 17, tzinfo=UTC)


def kept(client_id: int, external_id: str, day: date, rng: random.Random) -> ScoreRecord:
    risk = rng.randint(0, 100)
    factor = Factor("payment", "overdue", 40.0, {"amount": 1200.0, "days": 45.0})
    return ScoreRecord(
        client_id=client_id, client_external_id=external_id, as_of=day, horizon_days=365,
        clv=rng.randint(0, 50_000), clv_tier="silver", clv_trend="flat", expected_orders=2.0,
        expected_revenue=rng.randint(0, 9_000), p_active=0.5, churn_risk=risk,
        payment_risk=risk, profitability_risk=0, risk_score=risk,
        risk_level="high" if risk > 60 else "medium" if risk >= 30 else "low",
        health_score=100 - risk, rfm_segment="loyal",
        next_order_expected=day + timedelta(days=rng.randint(-90, 120)),
        typical_gap_days=30.0, gap_low_days=25.0, gap_high_days=35.0,
        days_since_last_order=float(rng.randint(0, 90)), factors=(factor,),
    )  # type: ignore[arg-type]  # fmt: skip


async def seed(container: Container, clients: list[Client], seed: int) -> None:
    async with container.uow() as uow:
        owners = sorted({c.owner_slack_user_id or OWNER for c in clients})
        await uow.users.upsert_many([User(o, f"Rep {o}", timezone="UTC") for o in owners])
        await uow.commit()
    await load(container.engine, clients)
    rng, day = random.Random(seed), NOW.date() - timedelta(days=1)
    async with container.uow() as uow:
        ids = await uow.clients.ids_for([c.external_id for c in clients])
        records = [kept(ids[c.external_id], c.external_id, day, rng) for c in clients]
        await uow.scores.save(records, as_of=day, computed_at=NOW - timedelta(hours=12))
        await uow.commit()


class Bench:
    def __init__(self, http: aiohttp.ClientSession, url: str, slack: LocalSlack) -> None:
        self.http, self.url, self.slack = http, url, slack

    async def post(self, body: str, content_type: str) -> Any:
        headers = {**sign_request(SECRET, body), "Content-Type": content_type}
        async with self.http.post(self.url, data=body.encode(), headers=headers) as r:
            text = await r.text()
            assert r.status == 200, text
            return json.loads(text) if text.startswith("{") else text

    async def typeahead(self, value: str) -> None:
        payload = {"type": "block_suggestion", "team": {"id": "T0001"},
                   "user": {"id": OWNER}, "api_app_id": "A0001", "action_id": "client",
                   "block_id": "client", "value": value, "view": {"id": "V1"}}  # fmt: skip
        answer = await self.post(interaction_body(payload), "application/x-www-form-urlencoded")
        assert "options" in answer

    async def until(self, method: str, send: Callable[[], Awaitable[object]]) -> None:
        before = len(self.slack.calls_to(method))
        await send()
        await self.slack.wait_for(method, before + 1, timeout=30)

    async def shortcut(self, n: int) -> None:
        payload = {"type": "message_action", "callback_id": "log_message",
                   "trigger_id": f"{uuid.uuid4().hex}.t", "team": {"id": "T0001"},
                   "user": {"id": OWNER, "team_id": "T0001"}, "channel": {"id": f"C{n:06d}"},
                   "api_app_id": "A0001", "response_url": self.slack.response_url(f"s{n}"),
                   "message": {"type": "message", "user": OWNER, "ts": f"{1790000000 + n}.000100",
                               "text": "Called them about the spring order"}}  # fmt: skip
        body = interaction_body(payload)
        await self.until("views.open", lambda: self.post(body, "application/x-www-form-urlencoded"))

    async def home(self, n: int) -> None:
        event = {"type": "event_callback", "team_id": "T0001", "api_app_id": "A0001",
                 "event_id": f"Ev{uuid.uuid4().hex[:12]}", "event_time": int(time.time()),
                 "event": {"type": "app_home_opened", "user": OWNER, "tab": "home",
                           "channel": "D0BENCH", "event_ts": f"{n}.0"}}  # fmt: skip
        body = json.dumps(event)
        await self.until("views.publish", lambda: self.post(body, "application/json"))


async def timed(calls: list[Callable[[], Awaitable[object]]]) -> list[float]:
    spent = []
    for call in calls:
        started = time.perf_counter()
        await call()
        spent.append((time.perf_counter() - started) * 1000)
    return spent


async def run(label: str, url: str, clients: list[Client], args: argparse.Namespace) -> None:
    await upgrade_async(url)
    async with LocalSlack() as slack:
        settings = Settings(_env_file=None, DATABASE_URL=url, SLACK_SIGNING_SECRET=SECRET,
                            SLACK_BOT_TOKEN="xoxb-bench", SLACK_API_URL=slack.api_url)  # type: ignore[call-arg]  # fmt: skip
        slack.users[OWNER] = {"real_name": "Bench Rep", "tz": "UTC"}
        container = build(settings, clock=lambda: NOW)
        started = time.perf_counter()
        await seed(container, clients, args.seed)
        spent = time.perf_counter() - started
        print(f"{label}: {len(clients)} clients and their scores in {spent:.0f} s")
        runner = web.AppRunner(build_web_app(container, build_slack_app(container)))
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        host, port = runner.addresses[0][:2]
        try:
            async with aiohttp.ClientSession() as http:
                await measure(
                    Bench(http, f"http://{host}:{port}/slack/events", slack), clients, args
                )
            assert not slack.violations, slack.violations
        finally:
            await runner.cleanup()
            await container.close()


async def measure(bench: Bench, clients: list[Client], args: argparse.Namespace) -> None:
    q = make_queries(clients, args.queries, args.seed)
    typed = [v for pair in zip(q.prefixes, q.typos, strict=True) for v in pair][: args.queries]
    kinds: dict[str, list[Callable[[], Awaitable[object]]]] = {
        "typeahead": [lambda v=v: bench.typeahead(v) for v in typed],
        "shortcut": [lambda n=n: bench.shortcut(n) for n in range(args.opens)],
        "home": [lambda n=n: bench.home(n) for n in range(args.opens)],
    }
    for calls in kinds.values():  # warm up: connections, prepared statements, caches
        await timed(calls[:5])
    for label, calls in kinds.items():
        print(report(label, await timed(calls)))


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--opens", type=int, default=50)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--owners", type=int, default=1, help="reps sharing the clients")
    parser.add_argument("--pg", help="a PostgreSQL URL; a temporary database is made beside it")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    clients = make_data(args.clients, args.seed)
    for n, c in enumerate(clients):
        c.owner_slack_user_id = OWNER if n % args.owners == 0 else f"{OWNER}{n % args.owners}"
    await on_each_backend(
        lambda label, url: run(label, url, clients, args), pg=args.pg, sqlite=not args.no_sqlite
    )


if __name__ == "__main__":
    asyncio.run(main())
