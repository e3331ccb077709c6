"""Slack's rate limits, simulated by the local stand-in (off unless asked for).

Slack answers a call over its limit with HTTP 429, ``{"ok": false, "error": "ratelimited"}``
and a ``Retry-After`` header in whole seconds. Two limits matter to a bot that posts a lot:

- ``chat.postMessage`` has a special tier of about one message a second per channel
  ("short bursts are allowed"; here none beyond the one);
- a workspace-wide cap across the app's posts, simulated as a token bucket that refills at
  ``workspace_per_minute / 60`` a second and holds at most ``burst`` tokens (by default one
  second's worth), so N posts can never finish sooner than ``(N - burst) / rate`` seconds.

Every call to a limited method counts, whatever the stand-in then answers; a refused call
(429) takes no token and does not move its channel's clock, as on Slack.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RateLimits:
    """What the stand-in enforces; ``None`` leaves that limit off."""

    per_channel_seconds: float | None = 1.0
    workspace_per_minute: int | None = None
    burst: int | None = None  # tokens the workspace bucket holds; default one second's worth
    methods: frozenset[str] = frozenset({"chat.postMessage"})

    def __post_init__(self) -> None:
        if self.workspace_per_minute is not None and self.workspace_per_minute <= 0:
            raise ValueError("workspace_per_minute must be positive")
        if self.burst is not None and self.burst < 1:
            raise ValueError("burst must be at least 1")

    @property
    def rate(self) -> float | None:
        """Workspace tokens a second."""
        return None if self.workspace_per_minute is None else self.workspace_per_minute / 60

    @property
    def bucket(self) -> int:
        """Tokens the workspace bucket holds (and starts with)."""
        if self.burst is not None:
            return self.burst
        return max(1, math.ceil((self.workspace_per_minute or 60) / 60))

    def floor_seconds(self, posts: int) -> float:
        """The least time the workspace cap lets ``posts`` posts take (first to last)."""
        if self.rate is None:
            return 0.0
        return max(0, posts - self.bucket) / self.rate


class RateLimiter:
    """Decides, call by call, whether Slack would answer 429 and with what Retry-After."""

    def __init__(self, limits: RateLimits, clock: Callable[[], float]) -> None:
        self.limits, self._clock = limits, clock
        self._tokens = float(limits.bucket)
        self._refilled = clock()
        self._last_post: dict[str, float] = {}
        self.refused = 0

    def retry_after(self, method: str, channel: str | None) -> int | None:
        """Whole seconds to wait when this call is over a limit; None (and counted) when not."""
        if method not in self.limits.methods:
            return None
        now = self._clock()
        self._refill(now)
        waits = [self._channel_wait(channel, now), self._workspace_wait()]
        wait = max(waits)
        if wait > 0:
            self.refused += 1
            return max(1, math.ceil(wait))
        if self.limits.rate is not None:
            self._tokens -= 1
        if channel is not None:
            self._last_post[channel] = now
        return None

    def _refill(self, now: float) -> None:
        rate = self.limits.rate
        if rate is not None:
            elapsed = max(0.0, now - self._refilled)
            self._tokens = min(float(self.limits.bucket), self._tokens + elapsed * rate)
        self._refilled = now

    def _channel_wait(self, channel: str | None, now: float) -> float:
        interval = self.limits.per_channel_seconds
        if interval is None or channel is None or channel not in self._last_post:
            return 0.0
        return max(0.0, self._last_post[channel] + interval - now)

    def _workspace_wait(self) -> float:
        rate = self.limits.rate
        if rate is None or self._tokens >= 1:
            return 0.0
        return (1 - self._tokens) / rate
