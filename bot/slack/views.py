"""Modal views (Block Kit) for logging and tasks, and reading their submitted state."""

from __future__ import annotations

import json
from datetime import date, time
from typing import Any

from bot.slack.views_repeat import repeat_input
from domain.model import ActivityType, Client

LOG = "log_modal"
TASK = "task_modal"
CLIENT_ACTION = "client"
NOTES_MAX = 3000
TITLE_MAX = 1000


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def _input(
    block_id: str, label: str, element: dict[str, Any], *, optional: bool = False
) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "label": _plain(label),
        "element": {"action_id": block_id, **element},
        "optional": optional,
    }


def client_option(client: Client) -> dict[str, Any]:
    label = f"{client.name} ({client.external_id})"
    text = label if len(label) <= 75 else label[:74] + "…"
    return {"text": _plain(text), "value": client.external_id[:150]}


def _client_input(client: Client | None, *, optional: bool) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "external_select",
        "placeholder": _plain("Type a name or id"),
        "min_query_length": 1,
    }
    if client is not None:
        element["initial_option"] = client_option(client)
    return _input(CLIENT_ACTION, "Client", element, optional=optional)


def log_view(*, client: Client | None, channel: str | None, notes: str = "") -> dict[str, Any]:
    types = [{"text": _plain(t.value.title()), "value": t.value} for t in ActivityType]
    notes_input: dict[str, Any] = {
        "type": "plain_text_input",
        "multiline": True,
        "max_length": NOTES_MAX,
    }
    if notes:
        notes_input["initial_value"] = notes[:NOTES_MAX]
    return {
        "type": "modal",
        "callback_id": LOG,
        "title": _plain("Log activity"),
        "submit": _plain("Log"),
        "close": _plain("Cancel"),
        "private_metadata": json.dumps({"channel": channel}),
        "blocks": [
            _client_input(client, optional=False),
            _input(
                "type",
                "Type",
                {"type": "static_select", "options": types, "initial_option": types[0]},
            ),
            _input("notes", "Notes", notes_input),
            _input("date", "Date (blank: now)", {"type": "datepicker"}, optional=True),
            _input("time", "Time", {"type": "timepicker"}, optional=True),
        ],
    }


def task_view(
    *, client: Client | None, channel: str | None, assignee: str, due: date
) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": TASK,
        "title": _plain("New task"),
        "submit": _plain("Create"),
        "close": _plain("Cancel"),
        "private_metadata": json.dumps({"channel": channel}),
        "blocks": [
            _client_input(client, optional=True),
            _input("assignee", "For", {"type": "users_select", "initial_user": assignee}),
            _input("title", "Task", {"type": "plain_text_input", "max_length": TITLE_MAX}),
            _input("due_date", "Due date", {"type": "datepicker", "initial_date": due.isoformat()}),
            _input("due_time", "Time", {"type": "timepicker", "initial_time": "09:00"}),
            repeat_input(),
        ],
    }


def state(view: dict[str, Any]) -> dict[str, Any]:
    """Submitted values by block id: text, the selected option's value, a date or a user."""
    out: dict[str, Any] = {}
    for block_id, actions in (view.get("state") or {}).get("values", {}).items():
        for element in actions.values():
            out[block_id] = _value(element)
    return out


def _value(element: dict[str, Any]) -> Any:
    for key in ("selected_date", "selected_time", "selected_user", "value"):
        if element.get(key) is not None:
            return element[key]
    option = element.get("selected_option")
    return option.get("value") if option else None


def when_text(day: str | None, at: str | None, *, default_time: time | None) -> str | None:
    """A date and a time picked in the modal, as text ``parse_when`` reads exactly."""
    if not day:
        return None
    clock = at or (default_time.strftime("%H:%M") if default_time else "09:00")
    return f"{day} {clock}"


def metadata(view: dict[str, Any]) -> dict[str, Any]:
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except json.JSONDecodeError:
        return {}
    return data if isinstance(data, dict) else {}


# the pieces other forms build on (the message shortcut's form)
input_block = _input
client_input = _client_input
