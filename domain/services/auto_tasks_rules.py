"""The auto-task rules of CONTRACT §4.5 as plain data, and which of them a client meets.

Pure functions over ``ClientFacts`` (what storage knows of a client now): the job in
``auto_tasks.py`` decides who gets what and writes it; this module only says *why*.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from domain.ports_alerts import ClientFacts
from domain.scores.record import ScoreRecord

TIER_RANK = {"bronze": 0, "silver": 1, "gold": 2, "platinum": 3}


@dataclass(frozen=True)
class RuleSettings:
    enabled: bool = True
    days: int = 0  # the rule's threshold, where it has one
    again_after_days: int = 14  # none for the client sooner after the last was made or done


@dataclass(frozen=True)
class Rule:
    name: str
    title: str


RULES: dict[str, Rule] = {
    r.name: r
    for r in (
        Rule("payment_overdue", "Follow up on payment"),
        Rule("reorder", "Reach out for reorder"),
        Rule("check_in", "Check in"),
        Rule("retention", "Retention outreach"),
        Rule("thank_you", "Thank-you call"),
    )
}

DEFAULT_RULES: dict[str, RuleSettings] = {
    "payment_overdue": RuleSettings(days=30, again_after_days=14),
    "reorder": RuleSettings(days=0, again_after_days=30),
    "check_in": RuleSettings(days=45, again_after_days=14),
    "retention": RuleSettings(again_after_days=30),
    "thank_you": RuleSettings(again_after_days=90),
}


def reasons(facts: ClientFacts, rules: dict[str, RuleSettings], *, now: datetime) -> dict[str, str]:
    """The enabled rules ``facts`` meets now, each with the reason in words."""
    found: dict[str, str] = {}
    for name, settings in rules.items():
        if not settings.enabled:
            continue
        why = _CHECKS[name](facts, settings, now)
        if why:
            found[name] = why
    return found


def _payment(facts: ClientFacts, settings: RuleSettings, now: datetime) -> str | None:
    days = facts.oldest_overdue_days
    if days is None or days < max(settings.days, 1):
        return None
    return f"an invoice is {int(days)} days past due"


def window_opens(kept: ScoreRecord) -> date | None:
    """The day the client's usual reorder window opens: its last order plus the shortest
    usual gap, else the day the next order is expected."""
    since, low = kept.days_since_last_order, kept.gap_low_days
    if since is not None and low is not None:
        return kept.as_of + timedelta(days=round(low - since))
    return kept.next_order_expected


def _reorder(facts: ClientFacts, settings: RuleSettings, now: datetime) -> str | None:
    kept = facts.latest
    opens = window_opens(kept) if kept else None
    if kept is None or opens is None:
        return None
    today = now.date()
    if today < opens - timedelta(days=settings.days):
        return None
    since, high = kept.days_since_last_order, kept.gap_high_days
    if since is not None and high is not None:
        if since + (today - kept.as_of).days > high:
            return None  # past the window: a churn risk now, not a reorder
    return f"its reorder window opens {opens.isoformat()}"


def _check_in(facts: ClientFacts, settings: RuleSettings, now: datetime) -> str | None:
    last = facts.last_contact_at or facts.created_at
    if last is None or now - last < timedelta(days=max(settings.days, 1)):
        return None
    if facts.last_contact_at is None:
        return f"no contact logged since it was added {(now - last).days} days ago"
    return f"no contact logged for {(now - last).days} days"


def _retention(facts: ClientFacts, settings: RuleSettings, now: datetime) -> str | None:
    at = facts.risk_turned_high_at
    if at is None or now - at > timedelta(days=max(settings.again_after_days, 1)):
        return None
    score = facts.latest.risk_score if facts.latest else None
    return f"its risk score turned high ({score})" if score is not None else "risk turned high"


def _thank_you(facts: ClientFacts, settings: RuleSettings, now: datetime) -> str | None:
    latest, before = facts.latest, facts.previous
    if latest is None or before is None:
        return None
    if TIER_RANK.get(latest.clv_tier, -1) <= TIER_RANK.get(before.clv_tier, -1):
        return None
    return f"its lifetime value reached {latest.clv_tier} (from {before.clv_tier})"


_CHECKS = {
    "payment_overdue": _payment,
    "reorder": _reorder,
    "check_in": _check_in,
    "retention": _retention,
    "thank_you": _thank_you,
}
