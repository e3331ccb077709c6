"""The outbox sender against the local Slack stand-in, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select

from bot.bootstrap import Container, build
from bot.localslack import LocalSlack
from domain.errors import UsageError
from domain.model import OutboxMessage
from schedulers.jobs import JOBS, JobNotAvailable, JobSpec, run_job
from schedulers.outbox import OutboxSender
from schedulers.ticker import Ticker
from storage.models import OutboxRow
from tests.conftest import FixedClock, make_settings

POST = "chat.postMessage"
UNREACHABLE = "http://127.0.0.1:9/api/"


@pytest.fixture
async def slack() -> AsyncIterator[LocalSlack]:
    async with LocalSlack() as stand_in:
        yield stand_in


class Sleeps:
    """An injected sleep that only records, and optionally moves a clock."""

    def __init__(self, clock: FixedClock | None = None) -> None:
        self.waits: list[float] = []
        self._clock = clock

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        if self._clock is not None:
            self._clock.now += timedelta(seconds=seconds)
        await asyncio.sleep(0)


def make_sender(
    container: Container, slack: LocalSlack, *, sleep: Sleeps | None = None, **options: Any
) -> OutboxSender:
    def client() -> AsyncWebClient:
        return AsyncWebClient(token="xoxb-test", base_url=slack.api_url)

    sleep = sleep or Sleeps()
    return OutboxSender(
        container.uow, client, container.clock, container.metrics, sleep=sleep, **options
    )


async def enqueue(
    container: Container, key: str, *, channel: str = "C1", text: str | None = None
) -> bool:
    message = OutboxMessage(key=key, channel=channel, payload={"text": text or key})
    async with container.uow() as uow:
        queued = await uow.outbox.enqueue(message, now=container.clock())
        await uow.commit()
    return queued


async def rows(container: Container) -> list[OutboxRow]:
    async with container.uow() as uow:
        found = list(
            (await uow.session.execute(select(OutboxRow).order_by(OutboxRow.id))).scalars()
        )
        uow.session.expunge_all()  # leaving the unit of work rolls back, which would expire them
    return found


def metric(container: Container, name: str, **labels: str) -> float:
    return container.metrics.registry.get_sample_value(name, labels) or 0.0


async def test_same_key_twice_is_one_row_and_one_message(
    container: Container, slack: LocalSlack
) -> None:
    assert await enqueue(container, "digest:U1:2026-11-25")
    assert not await enqueue(container, "digest:U1:2026-11-25", text="again")
    sender = make_sender(container, slack)
    assert (await sender.drain()).sent == 1
    assert (await sender.drain()).claimed == 0
    assert len(await rows(container)) == 1
    assert [call.args["text"] for call in slack.calls_to(POST)] == ["digest:U1:2026-11-25"]


async def test_drain_sends_and_marks_sent_with_the_ts(
    container: Container, slack: LocalSlack, clock: FixedClock
) -> None:
    await enqueue(container, "k1", channel="C9", text="hello")
    result = await make_sender(container, slack).drain()
    assert (result.claimed, result.sent, result.retried, result.failed) == (1, 1, 0, 0)
    (call,) = slack.calls_to(POST)
    assert (call.args["channel"], call.args["text"], call.error) == ("C9", "hello", None)
    (row,) = await rows(container)
    assert (row.status, row.sent_ts, row.sent_at) == ("sent", slack.messages[0].ts, clock.now)
    assert row.sent_ts and row.lease_until is None and row.attempts == 1
    assert metric(container, "crmbot_messages_sent_total", kind=POST) == 1


async def test_other_methods_get_their_target_filled_in(
    container: Container, slack: LocalSlack
) -> None:
    section = {"type": "section", "text": {"type": "mrkdwn", "text": "Your clients"}}
    home: dict[str, object] = {"view": {"type": "home", "blocks": [section]}}
    ephemeral: dict[str, object] = {"text": "only you", "user": "U2"}
    async with container.uow() as uow:
        now = container.clock()
        await uow.outbox.enqueue(OutboxMessage("h", "U1", home, kind="views.publish"), now=now)
        await uow.outbox.enqueue(
            OutboxMessage("e", "C1", ephemeral, kind="chat.postEphemeral"), now=now
        )
        await uow.commit()
    assert (await make_sender(container, slack).drain()).sent == 2
    assert slack.calls_to("views.publish")[0].args["user_id"] == "U1"
    assert slack.calls_to("chat.postEphemeral")[0].args["channel"] == "C1"
    assert [row.sent_ts for row in await rows(container)] == [None, slack.messages[0].ts]


async def test_429_waits_for_retry_after_then_sends(
    container: Container, slack: LocalSlack, clock: FixedClock
) -> None:
    await enqueue(container, "first", channel="C1")
    await enqueue(container, "second", channel="C2")
    slack.fail_next(POST, status=429, retry_after=7)
    sender = make_sender(container, slack)
    result = await sender.drain()
    assert (result.sent, result.retried, result.deferred) == (0, 1, 1)
    assert len(slack.calls_to(POST)) == 1  # the rest were not sent into the rate limit
    first, second = await rows(container)
    assert (first.status, first.last_error) == ("pending", "ratelimited")
    assert first.next_attempt_at == second.next_attempt_at == clock.now + timedelta(seconds=7)
    assert first.lease_until is None and second.lease_until is None
    assert metric(container, "crmbot_slack_rate_limited_total", method=POST) == 1

    clock.now += timedelta(seconds=6)
    assert (await sender.drain()).claimed == 0
    assert (await make_sender(container, slack).drain()).claimed == 0
    clock.now += timedelta(seconds=1)
    assert (await sender.drain()).sent == 2
    assert [r.status for r in await rows(container)] == ["sent", "sent"]
    assert len(slack.calls_to(POST)) == 3


async def test_server_error_is_retried_with_backoff(
    container: Container, slack: LocalSlack, clock: FixedClock
) -> None:
    await enqueue(container, "k1")
    slack.fail_next(POST, status=500)
    sender = make_sender(container, slack)
    assert (await sender.drain()).retried == 1
    (row,) = await rows(container)
    assert (row.status, row.attempts, row.last_error) == ("pending", 1, "internal_error")
    assert row.next_attempt_at == clock.now + timedelta(seconds=5)
    assert metric(container, "crmbot_slack_api_errors_total", method=POST, error="internal_error")

    clock.now += timedelta(seconds=4)
    assert (await sender.drain()).claimed == 0
    clock.now += timedelta(seconds=1)
    assert (await sender.drain()).sent == 1
    (row,) = await rows(container)
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, None)
    assert len(slack.calls_to(POST)) == 2


async def test_second_failure_waits_twice_as_long(
    container: Container, slack: LocalSlack, clock: FixedClock
) -> None:
    await enqueue(container, "k1")
    slack.fail_next(POST, status=503)
    slack.fail_next(POST, "service_unavailable", status=200)
    sender = make_sender(container, slack)
    await sender.drain()
    clock.now += timedelta(seconds=5)
    await sender.drain()
    (row,) = await rows(container)
    assert (row.attempts, row.next_attempt_at) == (2, clock.now + timedelta(seconds=10))


async def test_unreachable_slack_is_a_transient_error(
    container: Container, clock: FixedClock
) -> None:
    await enqueue(container, "k1")

    def client() -> AsyncWebClient:  # nothing listens on port 9; no retry inside the SDK
        return AsyncWebClient(token="xoxb-test", base_url=UNREACHABLE, retry_handlers=[])

    sender = OutboxSender(container.uow, client, container.clock, container.metrics)
    assert (await sender.drain()).retried == 1
    (row,) = await rows(container)
    assert row.status == "pending" and row.last_error
    assert row.next_attempt_at == clock.now + timedelta(seconds=5)


async def test_permanent_error_fails_and_is_not_retried(
    container: Container, slack: LocalSlack, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    await enqueue(container, "k1")
    slack.fail_next(POST, "channel_not_found", status=200)
    sender = make_sender(container, slack)
    with caplog.at_level(logging.WARNING, logger="schedulers.outbox"):
        assert (await sender.drain()).failed == 1
    (row,) = await rows(container)
    assert (row.status, row.last_error, row.lease_until) == ("failed", "channel_not_found", None)
    assert "channel_not_found" in caplog.text and "k1" in caplog.text
    clock.now += timedelta(days=1)
    assert (await sender.drain()).claimed == 0
    assert len(slack.calls_to(POST)) == 1


async def test_a_message_slack_refuses_fails_with_its_error(
    container: Container, slack: LocalSlack
) -> None:
    async with container.uow() as uow:
        await uow.outbox.enqueue(OutboxMessage("empty", "C1", {}), now=container.clock())
        await uow.commit()
    assert (await make_sender(container, slack).drain()).failed == 1
    (row,) = await rows(container)
    assert (row.status, row.last_error) == ("failed", "no_text")


async def test_transient_errors_give_up_after_ten_attempts(
    container: Container, slack: LocalSlack, clock: FixedClock
) -> None:
    await enqueue(container, "k1")
    for _ in range(10):
        slack.fail_next(POST, status=500)
    sender = make_sender(container, slack)
    results = []
    for _ in range(12):
        results.append(await sender.drain())
        clock.now += timedelta(minutes=15)
    assert [r.retried for r in results[:9]] == [1] * 9
    assert (results[9].failed, results[10].claimed) == (1, 0)
    (row,) = await rows(container)
    assert (row.status, row.attempts) == ("failed", 10)
    assert len(slack.calls_to(POST)) == 10


async def test_crash_after_claim_is_sent_once_the_lease_expires(
    container: Container, slack: LocalSlack, clock: FixedClock
) -> None:
    await enqueue(container, "k1")
    async with container.uow() as uow:  # a drain that claimed, then died before sending
        assert len(await uow.outbox.claim_due(now=clock.now, limit=10, lease_seconds=60)) == 1
        await uow.commit()
    sender = make_sender(container, slack, lease_seconds=60)
    assert (await sender.drain()).claimed == 0
    clock.now += timedelta(seconds=60)
    assert (await sender.drain()).claimed == 0
    assert slack.calls_to(POST) == []
    clock.now += timedelta(seconds=1)
    assert (await sender.drain()).sent == 1
    assert (await sender.drain()).claimed == 0
    assert len(slack.calls_to(POST)) == 1
    (row,) = await rows(container)
    assert (row.status, row.attempts) == ("sent", 2)


async def test_a_claim_never_committed_holds_nothing(
    container: Container, slack: LocalSlack
) -> None:
    await enqueue(container, "k1")
    async with container.uow() as uow:  # claimed, then the transaction rolled back
        await uow.outbox.claim_due(now=container.clock(), limit=10, lease_seconds=60)
    assert (await make_sender(container, slack).drain()).sent == 1


async def test_concurrent_drains_never_send_a_row_twice(
    container: Container, slack: LocalSlack
) -> None:
    keys = [f"k{i:02d}" for i in range(24)]
    for i, key in enumerate(keys):
        await enqueue(container, key, channel=f"C{i % 4}")

    async def worker(sender: OutboxSender) -> int:
        sent = 0
        while (result := await sender.drain()).claimed:
            sent += result.sent
        return sent

    senders = [make_sender(container, slack, batch=3) for _ in range(3)]
    senders.append(make_sender(container, slack))
    counts = await asyncio.gather(*(worker(sender) for sender in senders))
    assert sum(counts) == 24
    assert sorted(call.args["text"] for call in slack.calls_to(POST)) == keys
    assert {row.status for row in await rows(container)} == {"sent"}


async def test_about_one_message_a_second_per_channel(
    container: Container, slack: LocalSlack
) -> None:
    for key, channel in [("a", "C1"), ("b", "C1"), ("c", "C2"), ("d", "C1")]:
        await enqueue(container, key, channel=channel)
    sleeps = Sleeps()
    assert (await make_sender(container, slack, sleep=sleeps).drain()).sent == 4
    assert sleeps.waits == [1.0, 1.0]  # before b and d; C2 waits for nobody


async def test_no_send_starts_that_could_outlive_the_lease(
    container: Container, slack: LocalSlack, clock: FixedClock
) -> None:
    for i in range(40):
        await enqueue(container, f"k{i:02d}", channel="C1")
    sender = make_sender(container, slack, sleep=Sleeps(clock), lease_seconds=60)
    # 60 s lease - 30 s client timeout - 5 s margin: sends at 0 … 24 s
    result = await sender.drain()
    assert (result.claimed, result.sent, result.deferred) == (40, 25, 15)
    assert all(row.lease_until is None for row in await rows(container))
    assert (await sender.drain()).sent == 15
    assert len(slack.calls_to(POST)) == 40


async def test_a_lease_too_short_for_the_client_timeout_is_refused(
    container: Container, slack: LocalSlack
) -> None:
    await enqueue(container, "k1")
    with pytest.raises(ValueError, match="lease of 30s"):
        await make_sender(container, slack, lease_seconds=30).drain()
    (row,) = await rows(container)
    assert (row.attempts, row.lease_until) == (0, None)  # nothing was claimed


def test_the_contract_jobs_are_all_named() -> None:
    contract = {"reminders", "digest", "risk-alerts", "auto-tasks", "quote-expiry", "scores"}
    assert contract | {"outbox", "housekeeping", "scores-nightly"} == set(JOBS)
    internal = {name for name, spec in JOBS.items() if spec.internal}
    assert internal == {"outbox", "housekeeping", "scores-nightly"}


async def test_run_job_unknown_name_is_a_usage_error(container: Container) -> None:
    with pytest.raises(UsageError, match=r"run-job nope: .*reminders, digest, .*scores"):
        await run_job(container, "nope", now=container.clock())


async def test_run_job_not_built_yet_says_so(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(JOBS, "digest", JobSpec("digest", "not built in this test"))
    with pytest.raises(JobNotAvailable) as raised:
        await run_job(container, "digest", now=container.clock())
    assert raised.value.user_message() == (
        "run-job digest: the digest job arrives with the Schedulers issue; nothing was done"
    )
    labels = {"job": "digest", "outcome": "not_available"}
    assert metric(container, "crmbot_job_runs_total", **labels) == 1


@pytest.fixture
async def wired(
    database_url: str, clock: FixedClock, slack: LocalSlack
) -> AsyncIterator[Container]:
    """A container whose Web API is the stand-in (SLACK_API_URL)."""
    built = build(make_settings(database_url, SLACK_API_URL=slack.api_url), clock=clock)
    try:
        yield built
    finally:
        await built.close()


async def test_run_job_outbox_drains(wired: Container, slack: LocalSlack) -> None:
    for key, channel in (("a", "C1"), ("b", "C2")):  # two channels: no pacing wait
        await enqueue(wired, key, channel=channel)
    outcome = await run_job(wired, "outbox", now=wired.clock())
    assert (outcome.job, outcome.counts["sent"], outcome.counts["failed"]) == ("outbox", 2, 0)
    assert "sent 2" in outcome.summary()
    assert len(slack.calls_to(POST)) == 2
    assert metric(wired, "crmbot_job_runs_total", job="outbox", outcome="ok") == 1


async def test_run_job_outbox_with_now_uses_that_time(
    wired: Container, slack: LocalSlack, clock: FixedClock
) -> None:
    later = clock.now + timedelta(hours=1)
    message = OutboxMessage("later", "C1", {"text": "hi"}, next_attempt_at=later)
    async with wired.uow() as uow:
        await uow.outbox.enqueue(message, now=clock.now)
        await uow.commit()
    assert (await run_job(wired, "outbox", now=clock.now)).counts["claimed"] == 0
    assert (await run_job(wired, "outbox", now=later)).counts["sent"] == 1
    (row,) = await rows(wired)
    assert row.sent_at == later


async def test_ticker_drains_and_survives_a_failing_job(
    wired: Container, slack: LocalSlack, caplog: pytest.LogCaptureFixture
) -> None:
    await enqueue(wired, "a")
    ticker = Ticker(wired, interval_seconds=0.1, jobs=("no-such-job", "outbox"))
    with caplog.at_level(logging.ERROR, logger="schedulers.ticker"):
        ticker.start()
        try:
            await slack.wait_for(POST)
            await enqueue(wired, "b")  # sent by a later tick: the failure stopped nothing
            await slack.wait_for(POST, 2)
        finally:
            await ticker.shutdown()
    assert "job no-such-job failed" in caplog.text
    assert any(record.exc_info for record in caplog.records)
    assert [row.status for row in await rows(wired)] == ["sent", "sent"]


async def test_ticker_runs_only_built_jobs(wired: Container) -> None:
    ticker = Ticker(wired)
    assert all(JOBS[name].available for name in ticker.jobs)
    assert ticker.jobs[-1] == "outbox"  # last, so it sends what the others queued
    # the ticker keeps scores nightly; refitting every tick is only ``run-job scores``
    assert "scores-nightly" in ticker.jobs and "scores" not in ticker.jobs
    assert {"digest", "risk-alerts", "auto-tasks"} <= set(ticker.jobs)
    await ticker.shutdown()  # never started: nothing to stop
