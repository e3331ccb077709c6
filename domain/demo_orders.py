"""Demo order histories: each client buys with its own rhythm, basket size and trend.

Clients come and go over the whole history, as in real books of business: most buy
regularly; "drifting" clients slow down (each gap longer than the last) and stop at any time
in the three years — a few without warning, some still fading at "now" — and some of those
who stopped come back after a long pause; some bought once; some are new.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime

from domain.demo_util import business_ts, money, pick
from domain.demo_words import CATEGORIES
from domain.model import Order

HISTORY_DAYS = 3 * 365
# How clients behave: most buy regularly, some drift away, some bought once, some are new.
KINDS = ("regular", "drifting", "one_time", "new")
KIND_WEIGHTS = (0.52, 0.30, 0.10, 0.08)
ABRUPT = 0.2  # share of drifting clients that stop without slowing down first
COME_BACK = 0.3  # share of drifting clients that order again after a long pause
SLOWING = 1.4  # each gap of a fading client is this much longer than the one before
PAYERS = ("good", "slow", "bad")
PAYER_WEIGHTS = (0.7, 0.2, 0.1)
SEASON = {1: 0.9, 2: 0.9, 10: 1.2, 11: 1.25, 12: 1.2}


@dataclass(frozen=True)
class Profile:
    """A client's hidden buying and paying behaviour."""

    kind: str
    created_days_ago: float
    mean_gap_days: float
    regularity: float  # gamma shape: higher means steadier gaps
    mean_cents: float
    yearly_growth: float
    unit_cents: float
    categories: tuple[str, ...]
    payer: str


def draw_profile(rng: random.Random) -> Profile:
    kind = rng.choices(KINDS, KIND_WEIGHTS)[0]
    created = {
        "regular": (60.0, 4 * 365.0),
        "drifting": (150.0, 4 * 365.0),
        "one_time": (90.0, 4 * 365.0),
        "new": (10.0, 55.0),
    }[kind]
    return Profile(
        kind=kind,
        created_days_ago=rng.uniform(*created),
        mean_gap_days=rng.uniform(14, 90),
        regularity=rng.uniform(3, 10),
        mean_cents=min(max(rng.lognormvariate(12.4, 0.7), 200_00), 80_000_00),
        yearly_growth=rng.uniform(-0.3, 0.35),
        unit_cents=rng.uniform(20_00, 400_00),
        categories=tuple(rng.sample(CATEGORIES, rng.randint(1, 3))),
        payer=rng.choices(PAYERS, PAYER_WEIGHTS)[0],
    )


def make_orders(
    rng: random.Random, profile: Profile, *, client_id: str, now: datetime, first_number: int
) -> list[Order]:
    """The client's orders, oldest first, numbered from ``first_number``; none after ``now``."""
    now_ts = int(now.timestamp())
    start_days = min(profile.created_days_ago, HISTORY_DAYS)
    orders: list[Order] = []
    for offset, days_ago in enumerate(_order_days(rng, profile)):
        ts = min(business_ts(rng, now_ts - days_ago * 86_400), now_ts)
        moment = datetime.fromtimestamp(ts, UTC)
        cents = (
            profile.mean_cents
            * SEASON.get(moment.month, 1.0)
            * (1 + profile.yearly_growth) ** max(0.0, (start_days - days_ago) / 365)
            * rng.lognormvariate(0, 0.35)
        )
        cents = max(cents, 50_00)
        orders.append(
            Order(
                external_id=f"O{first_number + offset:07d}",
                client_external_id=client_id,
                ordered_at=moment,
                amount=money(cents),
                cost=money(cents * (0.6 + 0.25 * rng.random())),
                category=pick(rng, profile.categories),
                items=max(1, round(cents / profile.unit_cents * (0.8 + 0.4 * rng.random()))),
            )
        )
    return orders


def _order_days(rng: random.Random, profile: Profile) -> list[float]:
    """Order dates as days before now, decreasing."""
    start = min(profile.created_days_ago, HISTORY_DAYS) - rng.uniform(0, 5)
    if profile.kind == "one_time":
        return [max(start, 30.0)]
    if profile.kind == "new":
        return _rhythm(rng, profile, start=min(start, 58.0))
    if profile.kind == "drifting":
        return _lapsing(rng, profile, start=start)
    return _rhythm(rng, profile, start=start)


def _lapsing(rng: random.Random, profile: Profile, *, start: float) -> list[float]:
    """A client that stops at a moment anywhere in the history (or up to 120 days after
    now): its last 3–5 gaps before the stop each longer than the one before (none for an
    abrupt stop), its rhythm steady before that; three in ten of those who stopped come back
    after a pause of 4–18 months and buy regularly again."""
    stop = rng.uniform(-120.0, max(start - 30.0, -119.0))
    fading = 0 if rng.random() < ABRUPT else rng.randint(3, 5)
    days = [d for d in _backwards(rng, profile, stop=stop, start=start, fading=fading) if d >= 0]
    if not days:
        return _rhythm(rng, profile, start=start)  # stops after now: nothing to see yet
    if rng.random() < COME_BACK:
        back = days[-1] - profile.mean_gap_days - rng.uniform(120.0, 540.0)
        if back >= 0:
            days += _rhythm(rng, profile, start=back)
    return days


def _backwards(
    rng: random.Random, profile: Profile, *, stop: float, start: float, fading: int
) -> list[float]:
    """Orders from the last one (``stop`` days ago) back to ``start``, oldest first: the
    ``fading`` gaps nearest the stop stretched by ``SLOWING`` per order towards it."""
    shape, scale = profile.regularity, profile.mean_gap_days / profile.regularity
    days, day = [], stop
    while day <= start:
        days.append(day)
        stretch = SLOWING ** max(fading - len(days) + 1, 0)
        day += max(1.0, rng.gammavariate(shape, scale) * stretch)
    return days[::-1]


def _rhythm(rng: random.Random, profile: Profile, *, start: float) -> list[float]:
    """Orders from ``start`` days ago to now at the client's own rhythm."""
    shape, scale = profile.regularity, profile.mean_gap_days / profile.regularity
    days: list[float] = []
    day = start
    while day >= 0.0:
        days.append(day)
        day -= max(1.0, rng.gammavariate(shape, scale))
    return days or [start]
