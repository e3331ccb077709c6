"""The outbox sender under Slack's rate limits (LocalSlack's simulated ones), both backends."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.bootstrap import Container
from bot.localslack import LocalSlack
from bot.localslack_rates import RateLimits
from tests.conftest import FixedClock
from tests.integration.test_outbox import POST, Sleeps, enqueue, make_sender, metric, rows


@pytest.fixture
async def slack() -> AsyncIterator[LocalSlack]:
    async with LocalSlack() as stand_in:
        yield stand_in


async def test_a_short_retry_after_is_waited_out_in_the_same_drain(
    container: Container, slack: LocalSlack, clock: FixedClock
) -> None:
    await enqueue(container, "first", channel="C1")
    await enqueue(container, "second", channel="C2")
    slack.fail_next(POST, status=429, retry_after=2)
    sleeps = Sleeps(clock)
    result = await make_sender(container, slack, sleep=sleeps).drain()
    assert (result.sent, result.retried, result.deferred) == (2, 0, 0)
    assert sleeps.waits == [2.0]
    assert [call.error for call in slack.calls_to(POST)] == ["ratelimited", None, None]
    first, second = await rows(container)
    assert (first.status, first.attempts, second.status) == ("sent", 1, "sent")
    assert metric(container, "crmbot_slack_rate_limited_total", method=POST) == 1


async def test_a_wait_that_outlasts_the_lease_hands_the_batch_back(
    container: Container, slack: LocalSlack, clock: FixedClock
) -> None:
    await enqueue(container, "first", channel="C1")
    await enqueue(container, "second", channel="C2")
    slack.fail_next(POST, status=429, retry_after=5)
    # a 40 s lease - 30 s client timeout - 5 s margin leaves 5 s: too short to wait 5 s
    sender = make_sender(container, slack, sleep=Sleeps(clock), lease_seconds=40)
    result = await sender.drain()
    assert (result.sent, result.retried, result.deferred) == (0, 1, 1)
    assert len(slack.calls_to(POST)) == 1
    due = {row.next_attempt_at for row in await rows(container)}
    assert due == {clock.now + timedelta(seconds=5)}


async def test_under_a_workspace_cap_each_message_goes_once_pausing_per_429(
    container: Container, clock: FixedClock
) -> None:
    limits = RateLimits(per_channel_seconds=1.0, workspace_per_minute=60, burst=2)
    async with LocalSlack(clock=lambda: clock.now.timestamp(), rate_limits=limits) as slack:
        channels = [f"U{n}" for n in range(6)]
        for channel in channels:
            await enqueue(container, f"digest:{channel}:2026-11-25", channel=channel)
        sleeps = Sleeps(clock)
        result = await make_sender(container, slack, sleep=sleeps).drain()
        assert (result.claimed, result.sent, result.failed, result.deferred) == (6, 6, 0, 0)
        calls = slack.calls_to(POST)
        # two from the full bucket, then one a second: one 429 and one 1 s pause before each
        assert [call.error for call in calls] == [None, None] + ["ratelimited", None] * 4
        assert sleeps.waits == [1.0] * 4
        sent = Counter(call.args["channel"] for call in calls if call.error is None)
        assert sent == Counter(channels)
        assert {row.status for row in await rows(container)} == {"sent"}
        assert all(row.attempts == 1 for row in await rows(container))
