"""Issue #10, faults: a process killed at any step of a digest or an approval loses
nothing and sends nothing twice — but for the one window Slack leaves open.

Each killed step runs as a real subprocess (``python -m bot.cli run-job …`` and, for a
click, ``python -m tests.integration.kill_worker``) against a file SQLite database (and
PostgreSQL when ``CRMBOT_PG_URL`` is set), with ``CRMBOT_TEST_CRASH_AT`` naming the
``domain.crashpoints`` point where it ``os._exit``s — no rollback, no cleanup, like
``kill -9``. The LocalSlack stand-in runs in this process and records what arrived.
After each kill the cycle runs again without the hook (in this process: the same jobs,
against the same database, a fresh process in all that matters), and every logical message
(a digest per user and day, an approval request, its update, the requester's outcome)
must have reached Slack exactly once, and every decision be recorded exactly once.

The exception, by design: killed after Slack accepted a ``chat.postMessage`` but before
the outbox row was marked sent (``outbox.after_send_before_mark``), that one message is
sent again when the lease runs out — chat.postMessage takes no idempotency key and the
``ts`` naming the message comes back only in the answer, so no one can tell it arrived.
The bound: exactly that one row (each row is marked in its own transaction right after
its call, so at most the single in-flight message per killed process), once (the resend
marks it), and only after its lease ran out (no second sender meanwhile).
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.bootstrap import Container, build
from bot.localslack import LocalSlack
from domain.crashpoints import CRASH_EXIT, ENV
from domain.model import Decision, Surface
from domain.services.importing import ImportService
from schedulers.jobs import run_job
from storage.models import ApprovalChainRow, ApprovalDecisionRow, DigestRunRow, OutboxRow
from tests.conftest import FixedClock, make_settings
from tests.integration.alerts_fixtures import add_task
from tests.slack.approvals_kit import FIN1, MGR, REP, dm, seed_team

ROOT = Path(__file__).resolve().parents[2]
THU = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)  # 09:00 UTC: past the 08:00 digest hour
FRI = THU + timedelta(days=1)
LEASE_OVER = timedelta(minutes=2)  # the outbox lease is 60 s
POST, UPDATE = "chat.postMessage", "chat.update"


class Processes:
    """Runs ``crmbot`` steps as subprocesses against one database and the stand-in."""

    def __init__(self, database_url: str, slack: LocalSlack, container: Container) -> None:
        self.container = container  # the runs after a kill: the same code, in this process
        self.env = {k: v for k, v in os.environ.items() if k != ENV}
        self.env |= {
            "DATABASE_URL": database_url, "SLACK_API_URL": slack.api_url,
            "SLACK_SIGNING_SECRET": "test-signing-secret", "SLACK_BOT_TOKEN": "xoxb-test-token",
            "CRMBOT_DEFAULT_TZ": "UTC", "CRMBOT_API_TOKEN": "test-api-token",
        }  # fmt: skip

    async def killed(self, *args: str, crash: str) -> str:
        """``python ARGS`` with the hook set: it must end at ``crash``, and only there."""
        env = self.env | {ENV: crash}
        proc = await asyncio.create_subprocess_exec(
            sys.executable, *args, env=env, cwd=ROOT,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
        assert proc.returncode == CRASH_EXIT, (proc.returncode, err.decode())
        assert f"crash point {crash}" in err.decode()
        return out.decode()

    async def job(self, name: str, now: datetime, *, crash: str | None = None) -> str:
        """``crmbot run-job NAME --now T``: killed at ``crash`` in a subprocess, or run here."""
        if crash is None:
            return (await run_job(self.container, name, now=now)).summary()
        return await self.killed("-m", "bot.cli", "run-job", name, "--now", now.isoformat(),
                                 crash=crash)  # fmt: skip

    async def decide(
        self, actor: str, chain: int, now: datetime, *, crash: str | None = None
    ) -> str:
        """Approve, as the click handler does: killed at ``crash`` in a subprocess, or here."""
        if crash is None:
            service = self.container.approvals
            return str(
                await service.decide(actor, chain, Decision.APPROVED, surface=Surface.BUTTON)
            )
        args = ("-m", "tests.integration.kill_worker", actor, str(chain), now.isoformat())
        return await self.killed(*args, crash=crash)


@pytest.fixture
async def slack() -> AsyncIterator[LocalSlack]:
    async with LocalSlack() as stand_in:
        yield stand_in


@pytest.fixture
async def kit(
    database_url: str, slack: LocalSlack, clock: FixedClock
) -> AsyncIterator[tuple[Container, Processes]]:
    container = build(make_settings(database_url, SLACK_API_URL=slack.api_url), clock=clock)
    try:
        yield container, Processes(database_url, slack, container)
    finally:
        await container.close()


async def count(container: Container, model: type, *where: Any) -> int:
    async with container.engine.connect() as conn:
        query = select(func.count()).select_from(model.__table__)
        return int((await conn.execute(query.where(*where))).scalar_one())


async def digests(container: Container, slack: LocalSlack, day: datetime) -> set[str | None]:
    """The DM channels of the digests queued for ``day`` (keys ``digest:{user}:{date}``)."""
    async with container.engine.connect() as conn:
        keys = (await conn.execute(select(OutboxRow.key))).scalars()
        users = [k.split(":")[1] for k in keys if k.endswith(f":{day.date().isoformat()}")]
    return {dm(slack, u) for u in users}


def posts(slack: LocalSlack, since: int, method: str = POST) -> Counter[str | None]:
    """Messages that reached Slack since ``since`` (an index into its log), by channel."""
    return Counter(m.channel for m in slack.messages[since:] if m.method == method)


async def test_killed_digests_and_approvals_lose_nothing_and_send_once(
    kit: tuple[Container, Processes], slack: LocalSlack, clock: FixedClock
) -> None:
    container, procs = kit
    await seed_team(container, slack)
    for day in (THU, FRI):  # something to report each morning, for two people
        for who in (REP, FIN1):
            await add_task(container, who, f"call back {day:%a}", day + timedelta(hours=6))

    # Thursday: killed with the claims made but not committed, then killed with the
    # outbox rows leased but not sent. Re-run: each digest once.
    start = len(slack.messages)
    await procs.job("digest", THU, crash="digest.after_claim")
    assert await count(container, DigestRunRow) == 0  # rolled back with the process
    assert await count(container, OutboxRow) == 0
    assert "sent 3" in await procs.job("digest", THU)  # REP, FIN1 and their manager
    readers = await digests(container, slack, THU)
    assert dm(slack, REP) in readers and len(readers) == 3
    await procs.job("outbox", THU, crash="outbox.after_claim")
    assert len(slack.messages) == start  # leased, nothing sent
    assert "sent 0" in await procs.job("outbox", THU)  # still leased: no second sender
    assert "sent 3" in await procs.job("outbox", THU + LEASE_OVER)
    assert posts(slack, start) == {channel: 1 for channel in readers}

    # Friday: killed after the digest committed, then after Slack accepted the first
    # message but before its row was marked sent: that one message, and only it, twice.
    start = len(slack.messages)
    await procs.job("digest", FRI, crash="digest.after_commit")
    assert await count(container, OutboxRow, OutboxRow.status == "pending") == 3
    assert await digests(container, slack, FRI) == readers
    assert "due 0" in await procs.job("digest", FRI)  # claimed: not queued again
    await procs.job("outbox", FRI, crash="outbox.after_send_before_mark")
    assert sum(posts(slack, start).values()) == 1  # Slack has it; the row says pending
    # the lease over, the batch is sent: the two never sent, and the unmarked one again
    assert "sent 3" in await procs.job("outbox", FRI + LEASE_OVER)
    friday = posts(slack, start)
    assert set(friday) == readers and sorted(friday.values()) == [1, 1, 2]  # one duplicate
    assert "sent 0" in await procs.job("outbox", FRI + 2 * LEASE_OVER)
    assert await count(container, OutboxRow, OutboxRow.status != "sent") == 0

    # An approval: the click's process killed before its transaction committed, then
    # right after. Each retry sees the truth; one decision, each message once.
    now = FRI + timedelta(hours=1)
    clock.now = now
    head = {"requested_by_slack_user_id": REP, "client_external_id": "C1"}
    await ImportService(approvals=container.approvals).run(
        "quotes", [(2, {**head, "external_id": "Q-K1", "total": "12000"})],
        uow_factory=container.uow, actor="admin", surface=Surface.CLI, now=now,
    )  # fmt: skip
    start = len(slack.messages)
    assert "sent 1" in await procs.job("outbox", now)
    assert posts(slack, start) == {dm(slack, MGR): 1}  # the request, to the rep's manager
    async with container.engine.connect() as conn:
        chain = (await conn.execute(select(ApprovalChainRow.id))).scalar_one()
    await procs.decide(MGR, chain, now, crash="approval.after_decision_before_commit")
    assert await count(container, ApprovalDecisionRow) == 0  # nothing of it was kept
    assert await count(container, OutboxRow, OutboxRow.status == "pending") == 0
    await procs.decide(MGR, chain, now, crash="approval.after_commit")
    assert await count(container, ApprovalDecisionRow) == 1
    again = await procs.decide(MGR, chain, now)  # the click retried: told, not redone
    assert "already decided" in again, again
    assert await count(container, ApprovalDecisionRow) == 1
    start = len(slack.messages)  # killed once the first of its messages is marked sent
    await procs.job("outbox", now, crash="outbox.after_mark")
    assert len(slack.messages) == start + 1
    assert "sent 1" in await procs.job("outbox", now + LEASE_OVER)  # only the other one
    assert posts(slack, start) == {dm(slack, REP): 1}  # the outcome, to the requester
    assert posts(slack, start, UPDATE) == {dm(slack, MGR): 1}  # the request, updated
    assert "sent 0" in await procs.job("outbox", now + 2 * LEASE_OVER)
    assert not slack.violations
