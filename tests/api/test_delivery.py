"""Outbound webhooks through the outbox, to a local receiver, on SQLite and PostgreSQL:
signing (checked as a receiver checks it), retry with back-off, failure, every attempt
recorded, and delivery after a restart."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp import web
from sqlalchemy import select

from bot.bootstrap import Container, build
from bot.localslack import LocalSlack
from domain.chat.grammar import LogActivity
from domain.model import ActivityType, Client, OutboxMessage, Surface, Task
from domain.services.chat import Asker
from domain.webhook_signing import verify
from domain.webhooks import Endpoint, WebhookAttempt
from schedulers.jobs import run_job
from schedulers.webhook_delivery import WebhookDelivery
from storage.models import OutboxRow
from tests.api.conftest import SECRET, Receiver, add_users
from tests.conftest import FixedClock, make_settings

DATA = {"client_external_id": "C-1", "notes": "Called about the renewal"}
KEY = "webhook:erp:activity.logged:41:1"


async def emit(container: Container, event: str = "activity.logged", entity: str = "41") -> int:
    async with container.uow() as uow:
        queued = await container.webhooks.emit(
            uow, event, DATA, entity=entity, version=1, now=container.clock()
        )
        await uow.commit()
    return queued


async def drain(container: Container) -> dict[str, int]:
    return dict((await run_job(container, "outbox", now=container.clock())).counts)


async def outbox(container: Container) -> list[OutboxRow]:
    async with container.uow() as uow:
        rows = list((await uow.session.execute(select(OutboxRow).order_by(OutboxRow.id))).scalars())
        uow.session.expunge_all()
    return rows


async def attempts(container: Container, key: str = KEY) -> list[WebhookAttempt]:
    async with container.uow() as uow:
        return list(await uow.webhook_attempts.for_delivery(key))


async def test_signed_as_documented_and_verified_like_a_receiver(
    api_container: Container, receiver: Receiver
) -> None:
    assert await emit(api_container) == 1
    assert await emit(api_container) == 0  # the same event again: the same key, no new row
    assert (await drain(api_container))["sent"] == 1
    (request,) = receiver.requests
    headers = request.headers
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Crmbot-Event"] == "activity.logged"
    assert headers["X-Crmbot-Delivery"] == KEY
    timestamp, sent = headers["X-Crmbot-Timestamp"], headers["X-Crmbot-Signature"]
    # what a receiver writes, from the README: HMAC-SHA256 over "{timestamp}.{raw body}"
    expected = hmac.new(SECRET.encode(), f"{timestamp}.".encode() + request.body, hashlib.sha256)
    assert hmac.compare_digest(sent, "v1=" + expected.hexdigest())
    assert abs(time.time() - int(timestamp)) < 60
    assert verify(SECRET, timestamp=timestamp, body=request.body, header=sent, now=time.time())
    assert not verify("other", timestamp=timestamp, body=request.body, header=sent, now=time.time())
    assert not verify(
        SECRET, timestamp=timestamp, body=request.body + b" ", header=sent, now=time.time()
    )
    stale = time.time() + 600
    assert not verify(SECRET, timestamp=timestamp, body=request.body, header=sent, now=stale)
    body = request.json()
    assert (body["id"], body["event"], body["data"]) == (KEY, "activity.logged", DATA)
    (row,) = await outbox(api_container)
    assert (row.kind, row.channel, row.status, row.attempts) == ("webhook", "erp", "sent", 1)
    (attempt,) = await attempts(api_container)
    assert (attempt.outcome, attempt.status_code, attempt.attempt) == ("delivered", 200, 1)
    assert attempt.duration_ms >= 0 and attempt.error is None


async def test_a_500_is_retried_with_back_off_then_delivered(
    api_container: Container, receiver: Receiver, clock: FixedClock
) -> None:
    receiver.statuses = [500, 503]
    await emit(api_container)
    first = await drain(api_container)
    assert (first["sent"], first["retried"]) == (0, 1)
    (row,) = await outbox(api_container)
    assert (row.status, row.last_error) == ("pending", "http_500")
    assert row.next_attempt_at == clock.now + timedelta(seconds=5)
    clock.now += timedelta(seconds=4)
    assert (await drain(api_container))["claimed"] == 0
    clock.now += timedelta(seconds=1)
    assert (await drain(api_container))["retried"] == 1
    (row,) = await outbox(api_container)
    assert row.next_attempt_at == clock.now + timedelta(seconds=10)  # twice as long
    clock.now += timedelta(seconds=10)
    assert (await drain(api_container))["sent"] == 1
    assert len(receiver.requests) == 3
    tries = await attempts(api_container)
    assert [(a.attempt, a.outcome, a.status_code) for a in tries] == [
        (1, "retry", 500),
        (2, "retry", 503),
        (3, "delivered", 200),
    ]
    clock.now += timedelta(hours=1)
    assert (await drain(api_container))["claimed"] == 0


@pytest.mark.parametrize(("status", "outcome"), [(429, "retry"), (410, "rejected")])
async def test_429_is_retried_and_other_4xx_fails(
    api_container: Container, receiver: Receiver, status: int, outcome: str
) -> None:
    receiver.statuses = [status]
    await emit(api_container)
    counts = await drain(api_container)
    (row,) = await outbox(api_container)
    (attempt,) = await attempts(api_container)
    assert (attempt.outcome, attempt.status_code) == (outcome, status)
    if outcome == "retry":
        assert (counts["retried"], row.status) == (1, "pending")
    else:
        assert (counts["failed"], row.status, row.last_error) == (1, "failed", f"http_{status}")


async def test_delivered_once_after_a_restart(
    database_url: str, clock: FixedClock, policy_path: Path, receiver: Receiver
) -> None:
    settings = make_settings(database_url, CRMBOT_CONFIG=str(policy_path))
    before = build(settings, clock=clock)
    await emit(before)
    await before.close()  # stopped before anything was sent
    after = build(settings, clock=clock)
    try:
        assert (await drain(after))["sent"] == 1
        assert (await drain(after))["claimed"] == 0
        clock.now += timedelta(hours=1)
        assert (await drain(after))["claimed"] == 0
    finally:
        await after.close()
    assert [r.json()["id"] for r in receiver.requests] == [KEY]


async def test_an_endpoint_no_longer_configured_fails_the_row(
    database_url: str, clock: FixedClock, policy_path: Path, tmp_path: Path
) -> None:
    with_erp = build(make_settings(database_url, CRMBOT_CONFIG=str(policy_path)), clock=clock)
    await emit(with_erp)
    await with_erp.close()
    empty = tmp_path / "empty.toml"
    empty.write_text("", encoding="utf-8")
    without = build(make_settings(database_url, CRMBOT_CONFIG=str(empty)), clock=clock)
    try:
        assert (await drain(without))["failed"] == 1
        (attempt,) = await attempts(without)
        assert attempt.outcome == "rejected" and "not configured" in (attempt.error or "")
    finally:
        await without.close()


async def test_a_receiver_too_slow_is_a_timeout_to_retry(api_container: Container) -> None:
    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(0.6)
        return web.Response()

    app = web.Application()
    app.router.add_post("/slow", slow)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    slow_endpoint = Endpoint("erp", f"http://{host}:{port}/slow", SECRET)
    delivery = WebhookDelivery(api_container.uow, {"erp": slow_endpoint}, timeout_seconds=0.2)
    message = OutboxMessage(
        KEY, "erp", {"event": "activity.logged", "body": {}}, kind="webhook", attempts=1
    )
    try:
        result = await delivery.deliver(message, now=api_container.clock())
    finally:
        await runner.cleanup()
    assert result.outcome == "transient" and "Timeout" in result.error
    (attempt,) = await attempts(api_container)
    assert attempt.outcome == "retry" and attempt.status_code is None


@pytest.fixture
async def slack() -> AsyncIterator[LocalSlack]:
    async with LocalSlack() as stand_in:
        yield stand_in


async def test_logging_an_activity_and_completing_a_task_emit_events(
    database_url: str,
    clock: FixedClock,
    policy_path: Path,
    receiver: Receiver,
    slack: LocalSlack,
) -> None:
    settings = make_settings(
        database_url, CRMBOT_CONFIG=str(policy_path), SLACK_API_URL=slack.api_url
    )
    container = build(settings, clock=clock)
    try:
        await add_users(container)
        async with container.uow() as uow:
            await uow.clients.upsert_many([Client("C-1", "Acme Corp", owner_slack_user_id="U2")])
            await uow.commit()
        asker = Asker("U2", None, Surface.SLASH)
        await container.chat.handle(asker, LogActivity(ActivityType.CALL, "C-1", "Renewal call"))
        async with container.uow() as uow:
            client_id = (await uow.clients.ids_for(["C-1"]))["C-1"]
            task = await uow.tasks.add(Task("Send the offer", "U2", clock.now, client_id=client_id))
            await uow.commit()
        assert task.id is not None
        await container.chat.done(asker, task.id)
        await container.chat.done(asker, task.id)  # a second click: no second event
        await drain(container)
    finally:
        await container.close()
    events = [(r.headers["X-Crmbot-Event"], r.json()["data"]) for r in receiver.requests]
    assert [e for e, _ in events] == ["activity.logged", "task.completed"]
    logged, done = events[0][1], events[1][1]
    assert (logged["client_external_id"], logged["notes"], logged["type"]) == (
        "C-1",
        "Renewal call",
        "call",
    )
    assert (done["task_id"], done["client_external_id"], done["completed_by_slack_user_id"]) == (
        task.id,
        "C-1",
        "U2",
    )


async def test_a_webhook_429_never_pauses_slack(
    database_url: str, clock: FixedClock, policy_path: Path, receiver: Receiver, slack: LocalSlack
) -> None:
    settings = make_settings(
        database_url, CRMBOT_CONFIG=str(policy_path), SLACK_API_URL=slack.api_url
    )
    container = build(settings, clock=clock)
    try:
        receiver.statuses = [429]
        await emit(container)  # queued first, so tried first
        async with container.uow() as uow:
            await uow.outbox.enqueue(OutboxMessage("dm:1", "C1", {"text": "hi"}), now=clock.now)
            await uow.commit()
        counts = await drain(container)
    finally:
        await container.close()
    assert (counts["retried"], counts["sent"], counts["deferred"]) == (1, 1, 0)
    assert len(slack.calls_to("chat.postMessage")) == 1
