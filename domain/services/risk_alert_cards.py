"""The risk alert as a card, its buttons, and what it says once acted on."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from domain.cards import Actions, Button, Card, Note, Text
from domain.dates import format_when
from domain.ports_alerts import RiskAlert
from domain.scores.factors import Factor
from domain.text import escape

RETENTION = "risk_retention_task"  # value: the alert id
SNOOZE_ALERT = "risk_snooze"  # value: the alert id
FACTORS_SHOWN = 3


def factor_lines(alert: RiskAlert, *, limit: int = FACTORS_SHOWN) -> list[str]:
    """The top factors behind the score, in words (amounts shown: the owner's own client)."""
    lines = []
    for data in alert.factors[:limit]:
        try:
            lines.append(escape(Factor.from_json(data).text(show_money=True)))
        except (KeyError, TypeError, ValueError):
            continue  # a factor written by an older version: leave it out rather than fail
    return lines


def alert_buttons(alert_id: int) -> tuple[Button, ...]:
    return (
        Button("Create retention task", RETENTION, str(alert_id), style="primary"),
        Button("Snooze 7 days", SNOOZE_ALERT, str(alert_id)),
    )


def _body(alert: RiskAlert, *, again: bool) -> Text:
    lead = "is still high" if again else "rose to"
    factors = "\n".join(f"• {line}" for line in factor_lines(alert))
    return Text(
        f":rotating_light: *{escape(alert.client.name)}* ({escape(alert.client.external_id)}): "
        f"risk score {lead} *{alert.risk_score}*" + (f"\n{factors}" if factors else "")
    )


def alert_card(alert: RiskAlert, *, again: bool = False) -> Card:
    return Card(
        summary=f"{alert.client.name}: risk score {alert.risk_score}",
        blocks=(_body(alert, again=again), Actions(alert_buttons(alert.id))),
    )


def snoozed_card(alert: RiskAlert, *, until: datetime, tz: ZoneInfo, now: datetime) -> Card:
    when = format_when(until, tz, now=now)
    return Card(
        summary=f"Snoozed: {alert.client.name}",
        blocks=(
            _body(alert, again=False),
            Note(f":zzz: Snoozed until {when}; I'll tell you again then if it's still high."),
        ),
    )


def retention_card(alert: RiskAlert, *, assignee: str, due: datetime, tz: ZoneInfo,
                   now: datetime) -> Card:  # fmt: skip
    return Card(
        summary=f"Retention task created: {alert.client.name}",
        blocks=(
            _body(alert, again=False),
            Note(
                f":white_check_mark: Retention task created for <@{assignee}>, "
                f"due {format_when(due, tz, now=now)}"
            ),
        ),
    )
