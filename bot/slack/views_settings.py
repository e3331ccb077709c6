"""The ``/crm settings`` modal: digest hour and days, quiet hours, alerts, Slack or Teams;
and its state."""

from __future__ import annotations

import json
from typing import Any

from domain.model import UserPreferences
from domain.services.settings import (
    ALERTS,
    DAY_LABELS,
    DAYS,
    PLATFORM_LABELS,
    SettingsForm,
    wants,
)

SETTINGS_VIEW = "settings_modal"


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def _option(label: str, value: str) -> dict[str, Any]:
    return {"text": _plain(label), "value": value}


def _input(block_id: str, label: str, element: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "label": _plain(label),
        "element": {"action_id": block_id, **element},
        **extra,
    }


def _checkboxes(options: list[dict[str, Any]], chosen: list[str]) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "checkboxes", "options": options}
    initial = [o for o in options if o["value"] in chosen]
    if initial:  # Slack refuses an empty initial_options
        element["initial_options"] = initial
    return element


def _timepicker(value: str | None) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "timepicker"}
    if value:
        element["initial_time"] = value
    return element


def _platform(p: UserPreferences, *, teams: bool) -> dict[str, Any]:
    """The choice of platform when the user can be reached on Teams, else how to get it."""
    if not teams:
        hint = (
            "Also on Microsoft Teams? Write to crmbot there once and you can get "
            "reminders, digests and alerts in Teams instead."
        )
        return {"type": "context", "elements": [{"type": "mrkdwn", "text": hint}]}
    options = [_option(label, key) for key, label in PLATFORM_LABELS.items()]
    initial = next((o for o in options if o["value"] == p.platform), options[0])
    return _input(
        "platform",
        "Send my reminders, digests and alerts to",
        {"type": "radio_buttons", "options": options, "initial_option": initial},
    )


def settings_view(
    p: UserPreferences, *, zone: str, channel: str | None, teams: bool = False
) -> dict[str, Any]:
    hours = [_option(f"{h:02d}:00", str(h)) for h in range(24)]
    days = [_option(label, key) for key, label in zip(DAYS, DAY_LABELS, strict=True)]
    alerts = [_option(label, key) for key, label in ALERTS.items()]
    on = [key for key in ALERTS if wants(p, key)]
    intro = (
        f"Times are in your zone, *{zone}*. "
        "Reminders that fall in quiet hours wait for them to end."
    )
    return {
        "type": "modal",
        "callback_id": SETTINGS_VIEW,
        "title": _plain("Settings"),
        "submit": _plain("Save"),
        "close": _plain("Cancel"),
        "private_metadata": json.dumps({"channel": channel}),
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": intro}},
            _input(
                "digest_hour",
                "Digest comes at",
                {
                    "type": "static_select",
                    "options": hours,
                    "initial_option": hours[p.digest_hour % 24],
                },
            ),
            _input("digest_days", "On", _checkboxes(days, p.digest_days), optional=True),
            _input("quiet_start", "Quiet hours from", _timepicker(p.quiet_start), optional=True),
            _input("quiet_end", "Quiet hours until", _timepicker(p.quiet_end), optional=True),
            _input("alerts", "Send me", _checkboxes(alerts, on), optional=True),
            _platform(p, teams=teams),
        ],
    }


def form(view: dict[str, Any]) -> SettingsForm:
    values = (view.get("state") or {}).get("values", {})

    def element(block: str) -> dict[str, Any]:
        found = values.get(block, {}).get(block)
        return found if isinstance(found, dict) else {}

    def picked(block: str) -> list[str]:
        return [str(o.get("value")) for o in element(block).get("selected_options") or []]

    hour = (element("digest_hour").get("selected_option") or {}).get("value")
    platform = (element("platform").get("selected_option") or {}).get("value")
    return SettingsForm(
        digest_hour=hour,
        digest_days=picked("digest_days"),
        quiet_start=element("quiet_start").get("selected_time"),
        quiet_end=element("quiet_end").get("selected_time"),
        alerts_on=picked("alerts"),
        platform=str(platform) if platform is not None else None,
    )


def channel_of(view: dict[str, Any]) -> str | None:
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except json.JSONDecodeError:
        return None
    channel = meta.get("channel") if isinstance(meta, dict) else None
    return channel if isinstance(channel, str) else None
