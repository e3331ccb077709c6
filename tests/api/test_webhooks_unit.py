"""Webhook events in the domain, with the in-memory fakes: which rows, what body, what
signature; and the rate limiter's bucket."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from bot.api.ratelimit import TokenBuckets
from domain.webhook_signing import encode_body, signature, verify
from domain.webhooks import NO_WEBHOOKS, ConfiguredWebhooks, Endpoint, enqueue_event
from tests.fakes_api import FakeApiUnitOfWorkFactory

NOW = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)
ERP = Endpoint("erp", "https://erp.example/hook", "k1")
QUOTES_ONLY = Endpoint("quotes", "https://q.example/hook", "k2", frozenset({"quote.approved"}))


def test_signature_is_hmac_sha256_over_timestamp_dot_body() -> None:
    body = encode_body({"b": 1, "a": "é"})
    assert body == '{"a":"é","b":1}'.encode()
    expected = hmac.new(b"k1", b"1764090000." + body, hashlib.sha256).hexdigest()
    assert signature("k1", "1764090000", body) == f"v1={expected}"
    assert verify("k1", timestamp="1764090000", body=body, header=f"v1={expected}", now=1764090100)
    assert not verify(
        "k1", timestamp="1764090000", body=body, header=f"v1={expected}", now=1764099999
    )
    assert not verify("k1", timestamp="soon", body=body, header=f"v1={expected}", now=1764090000)


async def test_one_row_per_subscribed_endpoint_in_the_callers_transaction() -> None:
    uows = FakeApiUnitOfWorkFactory()
    async with uows() as uow:
        data = {"amount": Decimal("12.50"), "at": NOW}
        assert (
            await enqueue_event(
                uow, [ERP, QUOTES_ONLY], "quote.approved", data, entity="Q-1", version=3, now=NOW
            )
            == 2
        )
        assert (
            await enqueue_event(
                uow, [ERP, QUOTES_ONLY], "task.completed", {}, entity="7", version=1, now=NOW
            )
            == 1
        )
        assert (
            await enqueue_event(
                uow, [ERP], "quote.approved", data, entity="Q-1", version=3, now=NOW
            )
            == 0
        )
    assert uows.tables.outbox == {}  # left without commit: nothing queued
    async with uows() as uow:
        await ConfiguredWebhooks((ERP,)).emit(
            uow, "quote.approved", data, entity="Q-1", version=3, now=NOW
        )
        await uow.commit()
    (key,) = uows.tables.outbox
    assert key == "webhook:erp:quote.approved:Q-1:3"
    message = uows.tables.outbox[key].message
    assert (message.kind, message.channel) == ("webhook", "erp")
    assert message.payload["body"] == {
        "id": key,
        "event": "quote.approved",
        "occurred_at": NOW.isoformat(),
        "data": {"amount": "12.50", "at": NOW.isoformat()},
    }


async def test_no_webhooks_queues_nothing_and_unknown_events_are_refused() -> None:
    uows = FakeApiUnitOfWorkFactory()
    async with uows() as uow:
        assert (
            await NO_WEBHOOKS.emit(uow, "activity.logged", {}, entity="1", version=1, now=NOW) == 0
        )
        with pytest.raises(ValueError, match="unknown webhook event"):
            await enqueue_event(uow, [ERP], "client.deleted", {}, entity="1", version=1, now=NOW)


def test_token_bucket_allows_a_burst_then_the_rate() -> None:
    now = [0.0]
    buckets = TokenBuckets(per_minute=60, burst=2, clock=lambda: now[0])
    assert [buckets.take("t"), buckets.take("t")] == [0.0, 0.0]
    wait = buckets.take("t")
    assert wait == pytest.approx(1.0) and TokenBuckets.retry_after(wait) == "1"
    assert buckets.take("other") == 0.0  # per token
    now[0] = 0.5
    assert buckets.take("t") == pytest.approx(0.5)
    assert TokenBuckets.retry_after(0.5) == "1"
    now[0] = 1.0
    assert buckets.take("t") == 0.0
    now[0] = 100.0
    assert [buckets.take("t") for _ in range(3)][:2] == [0.0, 0.0]  # never more than the burst
