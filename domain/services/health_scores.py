"""The health card's words for the §6 scores: risk and health with their factors, the
outlook, the reorder rhythm and the next order. Shared by anything that shows a
``ScoreRecord`` to a person (the card now; alerts and the digest can reuse them).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from domain.scores.aging import format_money
from domain.scores.record import ScoreRecord

SHOWN_FACTORS = 3
LEVEL_EMOJI = {"low": ":large_green_circle:", "medium": ":large_yellow_circle:"}
HIGH_EMOJI = ":red_circle:"


def risk_text(kept: ScoreRecord, *, show_money: bool) -> str:
    """Health and risk, the three risks behind it, and the biggest factors."""
    emoji = LEVEL_EMOJI.get(kept.risk_level, HIGH_EMOJI)
    head = f"{emoji} *Health {kept.health_score}/100* · risk {kept.risk_score} ({kept.risk_level})"
    parts = (
        f"churn {kept.churn_risk} · payment {kept.payment_risk} · "
        f"profitability {kept.profitability_risk}"
    )
    factors = [f.text(show_money=show_money) for f in kept.factors[:SHOWN_FACTORS]]
    if not factors:
        return f"{head}\n{parts}\nNo warning signs."
    return "\n".join([head, parts, *(f"• {f}" for f in factors)])


def _days(value: float) -> str:
    days = int(value)
    if days == 0:
        return "the last order today"
    return f"{days} day{'s' if days != 1 else ''} since the last"


def rhythm_text(kept: ScoreRecord) -> str:
    """ "Usually orders every 12–16 days; 23 days since the last"."""
    since = kept.days_since_last_order
    if since is None:
        return "No orders yet"
    if kept.gap_low_days is None or kept.gap_high_days is None:
        return f"Not enough orders for a rhythm; {_days(since)}"
    low, high = round(kept.gap_low_days), round(kept.gap_high_days)
    span = f"~{low}" if low >= high else f"{low}–{high}"
    return f"Usually orders every {span} days; {_days(since)}"


def overdue(kept: ScoreRecord) -> bool:
    """Past the usual range of the client's own gaps."""
    since, high = kept.days_since_last_order, kept.gap_high_days
    return since is not None and high is not None and since > high


def next_order_text(kept: ScoreRecord, *, now: datetime, day: str | None) -> str:
    """When the next order is expected; ``day`` is that date written for the reader."""
    late = ""
    if overdue(kept) and kept.typical_gap_days and kept.days_since_last_order is not None:
        ratio = kept.days_since_last_order / kept.typical_gap_days
        late = f"Overdue ({ratio:.1f}× the usual gap)"
    if kept.next_order_expected is None or day is None:
        horizon = f"the next {kept.horizon_days} days"
        return (
            f"{late}; not expected within {horizon}" if late else f"Not expected within {horizon}"
        )
    return f"{late}; expected around {day}" if late else f"Expected around {day}"


def outlook_text(kept: ScoreRecord, *, show_money: bool) -> str:
    """The forecast over the horizon: chance of an order, orders and revenue."""
    chance = f"{kept.p_active:.0%} chance of an order"
    orders = f"~{kept.expected_orders:.1f} orders"
    if show_money:
        orders += f", {format_money(Decimal(kept.expected_revenue))}"
    return f"{chance}; {orders}"


def expected_moment(day: date) -> datetime:
    """A kept date as a moment (noon UTC, so that any zone shows the same day)."""
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
