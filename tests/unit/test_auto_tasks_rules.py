"""Which auto-task rules a client meets, and the policy file's [auto_tasks] section."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from bot.config import PolicyFileError, parse_policy
from domain.ports_alerts import ClientFacts, ClientLine
from domain.scores.record import ScoreRecord
from domain.services.auto_tasks_rules import DEFAULT_RULES, RuleSettings, reasons

NOW = datetime(2026, 11, 25, 10, tzinfo=UTC)
TODAY = NOW.date()


def kept(day: date = TODAY, **values: Any) -> ScoreRecord:
    base: dict[str, Any] = dict(
        horizon_days=365, clv=Decimal(1), clv_tier="silver", clv_trend="flat",
        expected_orders=1.0, expected_revenue=Decimal(1), p_active=0.5, churn_risk=0,
        payment_risk=0, profitability_risk=0, risk_score=10, risk_level="low",
        health_score=90, rfm_segment="loyal", next_order_expected=None, typical_gap_days=None,
        gap_low_days=None, gap_high_days=None, days_since_last_order=None,
    )  # fmt: skip
    return ScoreRecord(client_id=1, client_external_id="A", as_of=day, **{**base, **values})


def facts(**values: Any) -> ClientFacts:
    base: dict[str, Any] = dict(
        client=ClientLine(1, "A", "Acme", "U1"), created_at=NOW - timedelta(days=400),
        oldest_overdue_days=None, last_contact_at=NOW - timedelta(days=1), latest=None,
        previous=None, risk_turned_high_at=None,
    )  # fmt: skip
    return ClientFacts(**{**base, **values})


def test_each_rule_with_its_defaults() -> None:
    rules = DEFAULT_RULES
    assert reasons(facts(), rules, now=NOW) == {}
    assert "payment_overdue" in reasons(facts(oldest_overdue_days=31.0), rules, now=NOW)
    assert reasons(facts(oldest_overdue_days=29.0), rules, now=NOW) == {}
    rhythm = dict(gap_low_days=18.0, gap_high_days=30.0)
    assert "reorder" in reasons(
        facts(latest=kept(days_since_last_order=19.0, **rhythm)), rules, now=NOW
    )
    assert reasons(facts(latest=kept(days_since_last_order=10.0, **rhythm)), rules, now=NOW) == {}
    assert reasons(facts(latest=kept(days_since_last_order=40.0, **rhythm)), rules, now=NOW) == {}
    quiet = facts(last_contact_at=NOW - timedelta(days=46))
    assert "46 days" in reasons(quiet, rules, now=NOW)["check_in"]
    risen = facts(risk_turned_high_at=NOW - timedelta(days=1), latest=kept(risk_score=70))
    assert "(70)" in reasons(risen, rules, now=NOW)["retention"]
    grown = facts(latest=kept(clv_tier="gold"), previous=kept(TODAY - timedelta(days=1)))
    assert "gold (from silver)" in reasons(grown, rules, now=NOW)["thank_you"]
    same = facts(latest=kept(clv_tier="silver"), previous=kept(TODAY - timedelta(days=1)))
    assert reasons(same, rules, now=NOW) == {}


def test_rules_can_be_switched_off_and_tuned() -> None:
    f = facts(oldest_overdue_days=12.0)
    assert reasons(f, {"payment_overdue": RuleSettings(days=10)}, now=NOW)
    assert not reasons(f, {"payment_overdue": RuleSettings(enabled=False, days=10)}, now=NOW)


def test_the_policy_file_section() -> None:
    text = "[auto_tasks.check_in]\ndays = 20\n[auto_tasks.thank_you]\nenabled = false\n"
    rules = parse_policy(text, Path("p.toml")).auto_tasks.rules()
    assert rules["check_in"] == RuleSettings(enabled=True, days=20, again_after_days=14)
    assert not rules["thank_you"].enabled
    assert rules["payment_overdue"] == DEFAULT_RULES["payment_overdue"]
    policy = parse_policy("[risk]\nmax_alerts_per_day = 2\n", Path("p.toml"))
    assert policy.risk.max_alerts_per_day == 2


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("[auto_tasks.check_in]\nenabled = true\nday = 20\n", "p.toml:3: auto_tasks.check_in.day"),
        (
            "[auto_tasks]\n\n[auto_tasks.birthday]\nenabled = true\n",
            "p.toml:3: auto_tasks.birthday",
        ),
        ("[auto_tasks.retention]\ndays = 3\n", "p.toml:2: auto_tasks.retention.days"),
        ("[auto_tasks.reorder]\ndays = -1\n", "p.toml:2: auto_tasks.reorder.days"),
        ("[risk]\nmax_alerts_per_day = 'five'\n", "p.toml:2: risk.max_alerts_per_day"),
    ],
)
def test_unknown_or_bad_keys_are_refused_with_their_line(text: str, where: str) -> None:
    with pytest.raises(PolicyFileError) as raised:
        parse_policy(text, Path("p.toml"))
    assert str(raised.value).startswith(where)
