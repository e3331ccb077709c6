"""The outbox's retry schedule and how it sorts Slack's refusals."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest

from domain.model import OutboxMessage
from schedulers.outbox import BACKOFF_CAP, MAX_ATTEMPTS, backoff, call_arguments, classify


@pytest.mark.parametrize(
    ("attempts", "seconds"),
    [(1, 5), (2, 10), (3, 20), (4, 40), (5, 80), (6, 160), (7, 320), (8, 640), (9, 900)],
)
def test_backoff_doubles_from_five_seconds(attempts: int, seconds: int) -> None:
    assert backoff(attempts) == timedelta(seconds=seconds)


@pytest.mark.parametrize("attempts", [9, 10, 50, 10_000])
def test_backoff_is_capped_at_fifteen_minutes(attempts: int) -> None:
    assert backoff(attempts) == BACKOFF_CAP == timedelta(minutes=15)


@pytest.mark.parametrize("attempts", [0, -3])
def test_backoff_before_any_attempt_is_the_first_step(attempts: int) -> None:
    assert backoff(attempts) == timedelta(seconds=5)


def test_backoff_is_deterministic_and_never_shrinks() -> None:
    waits = [backoff(n) for n in range(1, 40)]
    assert waits == [backoff(n) for n in range(1, 40)]
    assert waits == sorted(waits)


def test_ten_attempts_span_about_half_an_hour() -> None:
    total = sum((backoff(n) for n in range(1, MAX_ATTEMPTS)), timedelta())
    assert timedelta(minutes=20) < total < timedelta(minutes=40)


def _response(status: int, error: str | None = None, **headers: str) -> SimpleNamespace:
    data = {"ok": False, "error": error} if error else {}
    return SimpleNamespace(status_code=status, data=data, headers=headers)


@pytest.mark.parametrize(
    ("response", "outcome", "error"),
    [
        (_response(429, "ratelimited", **{"Retry-After": "7"}), "rate_limited", "ratelimited"),
        (_response(500, "internal_error"), "transient", "internal_error"),
        (_response(503), "transient", "http_503"),
        (_response(408), "transient", "http_408"),
        (_response(200, "ratelimited"), "transient", "ratelimited"),
        (_response(200, "fatal_error"), "transient", "fatal_error"),
        (_response(200, "service_unavailable"), "transient", "service_unavailable"),
        (_response(200, "request_timeout"), "transient", "request_timeout"),
        (_response(200, "channel_not_found"), "permanent", "channel_not_found"),
        (_response(200, "not_in_channel"), "permanent", "not_in_channel"),
        (_response(200, "invalid_blocks"), "permanent", "invalid_blocks"),
        (_response(200, "account_inactive"), "permanent", "account_inactive"),
        (_response(200, "invalid_auth"), "permanent", "invalid_auth"),
        (_response(404), "permanent", "http_404"),
    ],
)
def test_classify(response: SimpleNamespace, outcome: str, error: str) -> None:
    answer = classify(response)
    assert (answer.outcome, answer.error) == (outcome, error)


def test_retry_after_is_read_whatever_the_header_case() -> None:
    assert classify(_response(429, "ratelimited", **{"retry-after": "12"})).retry_after == 12
    assert classify(_response(429, "ratelimited")).retry_after is None
    assert classify(_response(429, "ratelimited", **{"Retry-After": "soon"})).retry_after is None


def test_call_arguments_fill_in_the_target() -> None:
    post = OutboxMessage(key="k", channel="C1", payload={"text": "hi"})
    assert call_arguments(post) == {"text": "hi", "channel": "C1"}
    home = OutboxMessage(key="h", channel="U1", payload={"view": {}}, kind="views.publish")
    assert call_arguments(home) == {"view": {}, "user_id": "U1"}
    other = OutboxMessage(key="o", channel="C1", payload={"channel": "C2"})
    assert call_arguments(other) == {"channel": "C2"}
