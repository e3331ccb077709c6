"""Small helpers shared by the demo-data modules."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TypeVar

DAY = timedelta(days=1)
OPENS, OPEN_SECONDS = 14 * 3600, 9 * 3600
T = TypeVar("T")


def money(cents: float) -> Decimal:
    """Exact two-decimal ``Decimal`` from an amount in cents."""
    return Decimal(round(cents)).scaleb(-2)


def as_utc(moment: datetime) -> datetime:
    """``moment`` as aware UTC; a naive datetime is taken to be UTC (as in CSV imports)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def business_time(rng: random.Random, day: datetime) -> datetime:
    """A moment during (North-American) business hours on ``day``'s UTC date, whole seconds."""
    return datetime.fromtimestamp(business_ts(rng, day.timestamp()), UTC)


def business_ts(rng: random.Random, day_ts: float) -> int:
    """As :func:`business_time`, on POSIX timestamps (the hot paths avoid datetime math)."""
    midnight = int(day_ts) - int(day_ts) % 86_400
    return midnight + OPENS + int(rng.random() * OPEN_SECONDS)


def pick(rng: random.Random, items: Sequence[T]) -> T:
    """``rng.choice`` without its rejection sampling, which is slow on hot paths."""
    return items[int(rng.random() * len(items))]


def days_ago(rng: random.Random, now: datetime, low: float, high: float) -> datetime:
    """A moment between ``high`` and ``low`` days before ``now``, never after it."""
    moment = now - timedelta(days=rng.uniform(low, high))
    return min(moment.replace(microsecond=0), now)


def slug(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())
