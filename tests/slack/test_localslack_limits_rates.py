"""The stand-in's simulated Slack rate limits, through slack_sdk's real async client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.localslack import LocalSlack
from bot.localslack_rates import RateLimits

POST = "chat.postMessage"


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


async def started(clock: Clock, limits: RateLimits | None) -> AsyncIterator[LocalSlack]:
    async with LocalSlack(clock=clock, rate_limits=limits) as slack:
        yield slack


def client(slack: LocalSlack) -> AsyncWebClient:
    return AsyncWebClient(token="xoxb-test", base_url=slack.api_url)


async def refused(web: AsyncWebClient, channel: str) -> tuple[int, str, str]:
    with pytest.raises(SlackApiError) as caught:
        await web.chat_postMessage(channel=channel, text="x")
    response = caught.value.response
    return response.status_code, response["error"], response.headers["Retry-After"]


async def test_one_message_a_second_per_channel(clock: Clock) -> None:
    async for slack in started(clock, RateLimits(per_channel_seconds=1.0)):
        web = client(slack)
        assert (await web.chat_postMessage(channel="C1", text="a"))["ok"]
        assert await refused(web, "C1") == (429, "ratelimited", "1")
        assert (await web.chat_postMessage(channel="C2", text="b"))["ok"]  # another channel
        clock.now += 0.5
        assert await refused(web, "C1") == (429, "ratelimited", "1")
        clock.now += 0.5
        assert (await web.chat_postMessage(channel="C1", text="c"))["ok"]
        errors = [call.error for call in slack.calls_to(POST)]
        assert errors == [None, "ratelimited", None, "ratelimited", None]
        assert [m.text for m in slack.messages] == ["a", "b", "c"]  # a 429 posts nothing
        assert slack.rate_limiter is not None and slack.rate_limiter.refused == 2


async def test_workspace_cap_refills_at_its_rate(clock: Clock) -> None:
    limits = RateLimits(per_channel_seconds=None, workspace_per_minute=120, burst=3)
    async for slack in started(clock, limits):
        web = client(slack)
        for n in range(3):  # the bucket starts full
            assert (await web.chat_postMessage(channel=f"C{n}", text="x"))["ok"]
        assert await refused(web, "C9") == (429, "ratelimited", "1")  # 2 a second: 0.5 s
        clock.now += 0.5
        assert (await web.chat_postMessage(channel="C9", text="x"))["ok"]
        assert await refused(web, "C10") == (429, "ratelimited", "1")
        clock.now += 60  # a long pause refills only up to the burst
        for n in range(3):
            assert (await web.chat_postMessage(channel=f"D{n}", text="x"))["ok"]
        assert await refused(web, "D9") == (429, "ratelimited", "1")
        assert len(slack.messages) == 7


async def test_retry_after_rounds_a_slow_cap_up_to_whole_seconds(clock: Clock) -> None:
    limits = RateLimits(per_channel_seconds=None, workspace_per_minute=6, burst=1)
    async for slack in started(clock, limits):
        web = client(slack)
        assert (await web.chat_postMessage(channel="C1", text="x"))["ok"]
        assert await refused(web, "C2") == (429, "ratelimited", "10")
        clock.now += 7.5
        assert await refused(web, "C2") == (429, "ratelimited", "3")
        # other methods are not limited by the chat.postMessage tier
        assert (await web.chat_update(channel="C1", ts="1.000001", text="y"))["ok"]


async def test_limits_are_off_by_default(clock: Clock) -> None:
    async for slack in started(clock, None):
        web = client(slack)
        for _ in range(30):
            assert (await web.chat_postMessage(channel="C1", text="x"))["ok"]
        assert slack.rate_limiter is None
        assert len(slack.messages) == 30
        assert all(call.error is None for call in slack.calls)


def test_limits_know_their_floor() -> None:
    limits = RateLimits(workspace_per_minute=600)
    assert (limits.rate, limits.bucket) == (10.0, 10)
    assert limits.floor_seconds(1_000) == 99.0
    assert RateLimits().floor_seconds(1_000) == 0.0
    with pytest.raises(ValueError, match="positive"):
        RateLimits(workspace_per_minute=0)
