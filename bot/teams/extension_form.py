"""The "Log to CRM" form (a task module) and what Teams sends back from it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.teams.render import CONTENT_TYPE, SCHEMA, VERSION, markdown
from domain.model import ActivityType
from domain.services.message_log_model import FORM_NOTES_MAX, Draft
from domain.text import cut, escape

TITLE = "Log to CRM"
FIELDS = ("client", "type", "notes", "follow_up", "follow_up_when")


@dataclass(frozen=True)
class FormValues:
    """What the form shows: opened from a draft, or sent back with a problem."""

    token: str
    client: str
    type: str
    notes: str
    follow_up: str = ""
    follow_up_when: str = ""
    permalink: str = ""
    note: str = ""  # small print: the author, an earlier log

    @classmethod
    def of_draft(cls, draft: Draft, *, permalink: str | None) -> FormValues:
        note = ""
        if draft.earlier is not None:
            who = f" by {draft.earlier.by_name}" if draft.earlier.by_name else ""
            note = f"Already logged on {draft.earlier.at:%Y-%m-%d %H:%M} UTC{who}."
        return cls(
            token=draft.token,
            client=draft.client.name if draft.client else "",
            type=str(draft.type),
            notes=draft.notes[:FORM_NOTES_MAX],
            permalink=permalink or "",
            note=note,
        )

    @classmethod
    def of_data(cls, data: dict[str, Any]) -> FormValues:
        def text(key: str) -> str:
            value = data.get(key)
            return value.strip() if isinstance(value, str) else ""

        return cls(
            token=text("token"),
            permalink=text("permalink"),
            **{key: text(key) for key in FIELDS},
        )


def _input(key: str, label: str, value: str, **extra: Any) -> dict[str, Any]:
    return {"type": "Input.Text", "id": key, "label": label, "value": value, **extra}


def form_card(values: FormValues, *, error: str = "", field: str = "") -> dict[str, Any]:
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": TITLE, "size": "Large", "weight": "Bolder", "wrap": True}
    ]
    if values.note:
        body.append({"type": "TextBlock", "text": values.note, "isSubtle": True, "wrap": True})
    if error:
        where = f" ({field})" if field else ""
        text = "⚠️ " + markdown(escape(error)) + where
        body.append({"type": "TextBlock", "text": text, "color": "Attention", "wrap": True})
    choices = [{"title": t.value.capitalize(), "value": t.value} for t in ActivityType]
    body += [
        _input("client", "Client (id or name)", values.client, isRequired=True, maxLength=200),
        {
            "type": "Input.ChoiceSet",
            "id": "type",
            "label": "Type",
            "value": values.type or ActivityType.NOTE.value,
            "choices": choices,
        },
        _input("notes", "Notes", values.notes, isMultiline=True, maxLength=FORM_NOTES_MAX),
        _input("follow_up", "Follow-up task (optional)", values.follow_up, maxLength=200),
        _input(
            "follow_up_when", "Follow-up due", values.follow_up_when, placeholder="tomorrow 3pm"
        ),
    ]
    data = {"token": values.token, "permalink": values.permalink}
    return {
        "type": "AdaptiveCard",
        "$schema": SCHEMA,
        "version": VERSION,
        "body": body,
        "actions": [{"type": "Action.Submit", "title": "Log", "data": data}],
    }


def task_continue(card: dict[str, Any]) -> dict[str, Any]:
    """A task module answer that shows (or shows again) the form."""
    content = {"contentType": CONTENT_TYPE, "content": card}
    value = {"title": TITLE, "height": "large", "width": "medium", "card": content}
    return {"task": {"type": "continue", "value": value}}


def task_message(text: str) -> dict[str, Any]:
    """A task module answer that closes the form with a short message."""
    return {"task": {"type": "message", "value": cut(text, 400)}}
