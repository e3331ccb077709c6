"""The "Log to CRM" form (Block Kit): built from a draft, read back into a submission,
and the message a shortcut payload carries, read into the domain's ``ChatMessage``."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.slack import views
from domain.model import ActivityType
from domain.services.message_log_model import FORM_NOTES_MAX, ChatMessage, Draft, Submission
from domain.text import escape

LOG_MESSAGE = "log_message_modal"
FOLLOW_UP_MAX = 1000
WHEN_MAX = 100


def chat_message(body: dict[str, Any]) -> ChatMessage:
    """The message a ``message_action`` payload carries."""
    message = body.get("message") or {}
    profile = message.get("user_profile") or {}
    name = (
        profile.get("real_name")
        or profile.get("display_name")
        or message.get("username")
        or (message.get("bot_profile") or {}).get("name")
    )
    return ChatMessage(
        channel_id=str((body.get("channel") or {}).get("id") or ""),
        ts=str(message.get("ts") or ""),
        text=_raw_text(message),
        author=message.get("user"),
        author_name=name or None,
        shared=_shared(body, message),
        response_url=body.get("response_url"),
    )


def _raw_text(message: dict[str, Any]) -> str:
    """The text, else what its attachments and files say (a forwarded email, a file)."""
    parts = [str(message.get("text") or "")]
    if not parts[0].strip():
        for extra in message.get("attachments") or []:
            parts.append(str(extra.get("text") or extra.get("fallback") or ""))
        for file in message.get("files") or []:
            parts.append(f"[file: {file.get('name') or file.get('title') or 'attachment'}]")
    return "\n".join(p for p in parts if p.strip())


def _shared(body: dict[str, Any], message: dict[str, Any]) -> bool:
    """Slack Connect: Slack says so, or the message comes from another organisation."""
    if body.get("is_ext_shared_channel") or (body.get("channel") or {}).get("is_ext_shared"):
        return True
    ours = (body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id")
    theirs = {message.get(k) for k in ("team", "user_team", "source_team")} - {None, ""}
    return bool(ours and theirs - {ours})


def log_message_view(draft: Draft) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = [_context(_about(draft))]
    if draft.earlier is not None:
        who = f" by {escape(draft.earlier.by_name)}" if draft.earlier.by_name else ""
        when = _slack_date(draft.earlier.at)
        blocks.append(_section(f":warning: This message was already logged {when}{who}."))
    if draft.client_fixed and draft.client is not None:
        blocks.append(
            _section(f"*Client:* {escape(draft.client.name)} (this shared channel's client)")
        )
    else:
        blocks.append(views.client_input(draft.client, optional=False))
    blocks += [_type_input(draft.type), _notes_input(draft.notes), *_follow_up_inputs()]
    metadata = {"token": draft.token, "channel": draft.message.channel_id, "ts": draft.message.ts}
    return {
        "type": "modal",
        "callback_id": LOG_MESSAGE,
        "title": _plain("Log to CRM"),
        "submit": _plain("Log"),
        "close": _plain("Cancel"),
        "private_metadata": json.dumps(metadata),
        "blocks": blocks,
    }


def _about(draft: Draft) -> str:
    by = f"<@{draft.message.author}>" if draft.message.author else "an app"
    shared = " · in a shared channel" if draft.message.shared else ""
    return f"Message by {by} · {_slack_date(draft.occurred_at)}{shared}"


def _slack_date(at: datetime) -> str:
    """A moment Slack writes out in each reader's own zone."""
    fallback = at.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(at.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}>"


def _type_input(guess: ActivityType) -> dict[str, Any]:
    types = [{"text": _plain(t.value.title()), "value": t.value} for t in ActivityType]
    chosen = next(o for o in types if o["value"] == guess.value)
    element = {"type": "static_select", "options": types, "initial_option": chosen}
    return views.input_block("type", "Type", element)


def _notes_input(notes: str) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "multiline": True,
        "max_length": FORM_NOTES_MAX,
        "initial_value": notes[:FORM_NOTES_MAX],
    }
    block = views.input_block("notes", "Notes", element)
    if len(notes) > FORM_NOTES_MAX:
        block["hint"] = _plain(
            f"The message is {len(notes):,} characters long; this box shows the first "
            f"{FORM_NOTES_MAX:,}. Leave it as it is to log the whole message."
        )
    return block


def _follow_up_inputs() -> list[dict[str, Any]]:
    title = {"type": "plain_text_input", "max_length": FOLLOW_UP_MAX}
    title["placeholder"] = _plain("e.g. Send the revised quote")
    when = {"type": "plain_text_input", "max_length": WHEN_MAX}
    when["placeholder"] = _plain("tomorrow 3pm, next friday… (blank: next working day 9:00)")
    return [
        views.input_block("follow_up", "Follow-up task (optional)", title, optional=True),
        views.input_block("follow_up_when", "Follow-up due", when, optional=True),
    ]


def submission(view: dict[str, Any]) -> tuple[Submission, dict[str, Any]]:
    """What was submitted, and the form's metadata (token, channel, message ts)."""
    values, meta = views.state(view), views.metadata(view)
    kind = values.get("type") or ActivityType.NOTE.value
    form = Submission(
        token=str(meta.get("token") or ""),
        client=values.get("client"),
        type=ActivityType(kind) if kind in set(ActivityType) else ActivityType.NOTE,
        notes=str(values.get("notes") or ""),
        follow_up=str(values.get("follow_up") or ""),
        follow_up_when=str(values.get("follow_up_when") or ""),
    )
    return form, meta


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:3000]}]}
