"""The snooze modal: three ready choices (radio buttons) or a time typed in words."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from domain.dates import format_when
from domain.services.snooze import SnoozeOffer
from domain.text import safe

SNOOZE_VIEW = "snooze_modal"
CHOICE = "choice"
WHEN = "when"
WHEN_MAX = 100


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text[:75]}


def snooze_view(
    offer: SnoozeOffer, *, tz: ZoneInfo, now: datetime, channel: str | None
) -> dict[str, Any]:
    task = offer.task
    options = [
        {"text": _plain(label), "value": key, "description": _plain(format_when(at, tz, now=now))}
        for key, label, at in offer.choices
    ]
    due = format_when(task.due_at, tz, now=now)
    return {
        "type": "modal",
        "callback_id": SNOOZE_VIEW,
        "title": _plain("Snooze"),
        "submit": _plain("Snooze"),
        "close": _plain("Cancel"),
        "private_metadata": json.dumps({"task_id": task.id, "channel": channel}),
        "blocks": [
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": f"*{safe(task.title, 500)}*\nDue {due}"},
            },
            {
                "type": "input",
                "block_id": CHOICE,
                "optional": True,
                "label": _plain("Remind me again"),
                "element": {
                    "type": "radio_buttons",
                    "action_id": CHOICE,
                    "options": options,
                    "initial_option": options[0],
                },
            },
            {
                "type": "input",
                "block_id": WHEN,
                "optional": True,
                "label": _plain("…or at a time of your choosing"),
                "hint": _plain(
                    "e.g. friday 3pm, in 2 days, 2026-12-01 09:30 — wins over the above"
                ),
                "element": {
                    "type": "plain_text_input",
                    "action_id": WHEN,
                    "max_length": WHEN_MAX,
                    "placeholder": _plain("friday 3pm"),
                },
            },
        ],
    }


def submitted(view: dict[str, Any]) -> tuple[int | None, str | None, str | None, str | None]:
    """The task id and channel kept in the view, the choice picked, the time typed."""
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except json.JSONDecodeError:
        meta = {}
    values = (view.get("state") or {}).get("values", {})
    picked = (values.get(CHOICE, {}).get(CHOICE) or {}).get("selected_option") or {}
    typed = (values.get(WHEN, {}).get(WHEN) or {}).get("value")
    task_id = meta.get("task_id") if isinstance(meta, dict) else None
    channel = meta.get("channel") if isinstance(meta, dict) else None
    return (
        task_id if isinstance(task_id, int) else None,
        channel if isinstance(channel, str) else None,
        picked.get("value"),
        typed,
    )
