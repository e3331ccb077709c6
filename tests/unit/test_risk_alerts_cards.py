"""The risk alert card: the factors in words, escaped, and its two buttons."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from domain.cards import Actions, Note, Text
from domain.ports_alerts import ClientLine, RiskAlert
from domain.services.risk_alert_cards import (
    RETENTION,
    SNOOZE_ALERT,
    alert_card,
    factor_lines,
    snoozed_card,
)

NOW = datetime(2026, 11, 25, 17, tzinfo=UTC)
FACTORS = [
    {"kind": "payment", "code": "overdue", "points": 40, "values": {"amount": 1200, "days": 45}},
    {"kind": "churn", "code": "slowing", "points": 35, "values": {"recent": 1, "before": 4}},
    {"kind": "churn", "code": "broken"},  # written by an older version: left out
    {"kind": "profitability", "code": "low_margin", "points": 9, "values": {"margin": 0.05}},
]


def alert() -> RiskAlert:
    return RiskAlert(
        7, ClientLine(3, "C3", "<!channel> & Co", "U1"), "U1", 72, FACTORS, NOW, "sent"
    )


def test_the_alert_names_the_client_safely_with_its_top_factors_and_buttons() -> None:
    card = alert_card(alert())
    body, actions = card.blocks
    assert isinstance(body, Text) and isinstance(actions, Actions)
    assert "&lt;!channel&gt; &amp; Co" in body.text and "*72*" in body.text
    assert "45 days past due" in body.text and "Orders slowing" in body.text
    assert [(b.label, b.action_id, b.value) for b in actions.buttons] == [
        ("Create retention task", RETENTION, "7"),
        ("Snooze 7 days", SNOOZE_ALERT, "7"),
    ]
    assert len(factor_lines(alert())) == 2  # three shown at most; the broken one skipped


def test_a_snoozed_alert_loses_its_buttons_and_says_until_when() -> None:
    card = snoozed_card(alert(), until=NOW + timedelta(days=7), tz=ZoneInfo("UTC"), now=NOW)
    assert not any(isinstance(b, Actions) for b in card.blocks)
    note = card.blocks[-1]
    assert isinstance(note, Note) and "Snoozed until Wed 2 Dec, 17:00 UTC" in note.text
