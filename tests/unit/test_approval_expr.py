"""The ``when`` language: what parses, what it means, and what is refused (and where)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.approvals.expr import ExpressionError, parse
from domain.approvals.policy import DEFAULT_LEVELS, rules

FACTS = {
    "total": Decimal(12000),
    "discount_pct": Decimal("12.5"),
    "credit_headroom": Decimal(-50),
    "client.tier": "gold",
    "client.risk_level": "high",
    "requester.role": "rep",
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("total >= 12000", True),
        ("total > 12000", False),
        ("discount_pct > 10 and total < 20000", True),
        ("discount_pct > 20 or credit_headroom < 0", True),
        ("not total < 100", True),
        ("not (total >= 1 and discount_pct > 1)", False),
        ("(total < 1 or discount_pct > 12) and client.tier == 'gold'", True),
        ('client.risk_level != "high"', False),
        ('requester.role == "rep" and not client.tier == "platinum"', True),
        ("total>=12000", True),
        ("12000 <= total", True),
        ("total == 12000.00", True),
        ("credit_headroom >= -50", True),
        ("total < 5 or total > 5 and discount_pct > 99", False),
        ("", True),
    ],
)
def test_meaning(text: str, expected: bool) -> None:
    assert parse(text).value(FACTS) is expected


def test_unknown_fact_is_never_true() -> None:
    facts = {**FACTS, "credit_headroom": None, "client.tier": None}
    assert parse("credit_headroom < 0").value(facts) is False
    assert parse("credit_headroom >= 0").value(facts) is False
    assert parse('client.tier != "gold"').value(facts) is False


def test_reasons_are_the_alternatives_that_hold() -> None:
    expr = parse("discount_pct > 10 or total >= 50000 or credit_headroom < 0")
    assert expr.reasons(FACTS) == ["discount_pct > 10", "credit_headroom < 0"]
    assert parse("total > 1 and discount_pct > 1").reasons(FACTS) == [
        "total > 1 and discount_pct > 1"
    ]


@pytest.mark.parametrize(
    ("text", "fragment", "column"),
    [
        ("totl > 5", "unknown name 'totl'", 1),
        ("total >", "expected a name, number or quoted text", 8),
        ("total > 5 and", "expected a name, number or quoted text", 14),
        ("(total > 5", "missing ')'", 11),
        ("total > 5)", "unexpected ')'", 10),
        ("total = 5", "unexpected '='", 7),
        ("total > 'big'", "compares a number with text", 7),
        ('client.tier > "gold"', "text compares only with == or !=", 13),
        ("5 > 3", "a comparison must name a fact", 1),
        ("__import__('os')", "unknown name '__import__'", 1),
        ("total > 5 total", "unexpected 'total'", 11),
        ("total > 5 @", "unexpected '@'", 11),
        ("total", "expected a comparison", 6),
    ],
)
def test_refused_with_where(text: str, fragment: str, column: int) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    assert fragment in str(caught.value)
    assert caught.value.column == column


def test_default_policy_paths() -> None:
    policy = rules()
    assert policy.levels == DEFAULT_LEVELS

    def needed(total: str, discount: str = "0", headroom: str | None = "1") -> list[str]:
        facts = {
            **FACTS,
            "total": Decimal(total),
            "discount_pct": Decimal(discount),
            "credit_headroom": None if headroom is None else Decimal(headroom),
        }
        return [f.level.name for f in policy.needed(facts)]

    assert needed("9999.99", "10") == []
    assert needed("100", "10.01") == ["manager"]
    assert needed("10000") == ["manager"]
    assert needed("50000") == ["manager", "finance"]
    assert needed("500", headroom="-0.01") == ["finance"]
    assert needed("500", headroom=None) == []
