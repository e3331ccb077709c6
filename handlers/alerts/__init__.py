"""Buttons on risk alerts (and the digest's folded alerts): create a retention task,
snooze an alert for 7 days. The message the button sat on is updated in place."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.alerts_wiring import alert_actions
from bot.bootstrap import Container
from bot.slack import render
from domain.cards import Card
from domain.errors import UsageError
from domain.model import Surface
from domain.services.risk_alert_cards import RETENTION, SNOOZE_ALERT


def register(app: AsyncApp) -> None:
    app.action(RETENTION)(retention)
    app.action(SNOOZE_ALERT)(snooze)


def _alert_id(body: dict[str, Any]) -> int:
    value = str(body["actions"][0].get("value") or "")
    if not value.isdigit():
        raise UsageError("That button is broken; open the latest alert instead.")
    return int(value)


async def retention(ack: Any, body: dict[str, Any], respond: Any, container: Container) -> None:
    await ack()
    actions = alert_actions(container)
    card, changed = await actions.retention(
        body["user"]["id"], _alert_id(body), surface=Surface.BUTTON
    )
    await respond(**_answer(card, changed, body))


async def snooze(ack: Any, body: dict[str, Any], respond: Any, container: Container) -> None:
    await ack()
    actions = alert_actions(container)
    card, changed = await actions.snooze(
        body["user"]["id"], _alert_id(body), surface=Surface.BUTTON
    )
    await respond(**_answer(card, changed, body))


def _answer(card: Card, changed: bool, body: dict[str, Any]) -> dict[str, Any]:
    """A change updates the alert's own message in place (buttons gone); anything else,
    or a click on a digest (which holds more than this alert), answers beside it."""
    blocks = (body.get("message") or {}).get("blocks") or []
    on_digest = any(b.get("type") == "header" for b in blocks)
    if changed and not on_digest:
        return render.message(card, replace_original=True)
    return render.message(card, replace_original=False, response_type="ephemeral")
