"""Rate limiting per API token: an in-memory token bucket for each token.

Each token has a bucket of ``burst`` requests that refills at ``per_minute / 60`` a
second; a request finding it empty is answered 429 with ``Retry-After``, the seconds
until one request's worth is back. In memory, per process: several ``serve`` processes
each allow the full rate (say so to whoever sets the limit).
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    at: float


class TokenBuckets:
    """``take(key)`` spends one request; 0 when allowed, else the seconds to wait."""

    def __init__(
        self, *, per_minute: int, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}

    def take(self, token: str) -> float:
        key = hashlib.sha256(token.encode()).hexdigest()  # no raw token kept around
        now = self._clock()
        bucket = self._buckets.setdefault(key, _Bucket(self.burst, now))
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.at) * self.rate)
        bucket.at = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self.rate

    @staticmethod
    def retry_after(wait: float) -> str:
        """Whole seconds, at least 1, as the Retry-After header wants them."""
        return str(max(1, math.ceil(wait)))
