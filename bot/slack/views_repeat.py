"""The task modal's optional Repeat select, and the WHEN text it makes with the due date."""

from __future__ import annotations

from typing import Any

REPEAT = "repeat"
# values are phrases ``domain.recurrence`` reads, as typed after `|` in `/crm task`
REPEATS = (
    ("Every day", "every day"),
    ("Every weekday", "every weekday"),
    ("Every week", "every week"),
    ("Every 2 weeks", "every 2 weeks"),
    ("Every month", "every month"),
    ("Every 3 months", "every 3 months"),
    ("Every year", "every year"),
)


def repeat_input() -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": REPEAT,
        "optional": True,
        "label": {"type": "plain_text", "text": "Repeat"},
        "element": {
            "type": "static_select",
            "action_id": REPEAT,
            "placeholder": {"type": "plain_text", "text": "Doesn't repeat"},
            "options": [
                {"text": {"type": "plain_text", "text": label}, "value": value}
                for label, value in REPEATS
            ],
        },
    }


def with_repeat(when: str | None, repeat: str | None) -> str | None:
    """``every 2 weeks from 2026-11-30 09:00``: the rule, starting at the due date picked."""
    if not repeat or repeat not in {value for _, value in REPEATS}:
        return when
    return f"{repeat} from {when}" if when else repeat
