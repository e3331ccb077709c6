"""The message extension action "Log to CRM": Teams' counterpart of the Slack shortcut.

``composeExtension/fetchTask`` opens a form (a task module) prefilled with the message,
kept server-side behind a token exactly as the Slack shortcut keeps it
(``domain.services.message_log``); ``composeExtension/submitAction`` logs it. A problem
with a field shows the form again with what was typed and the problem, never a lost
submission.
"""

from __future__ import annotations

import html
import re
from datetime import datetime
from typing import Any

from microsoft_agents.activity import Activity

from bot.teams import reply
from bot.teams.actions import as_dict
from bot.teams.context import TeamsBot
from bot.teams.extension_form import FormValues, form_card, task_continue, task_message
from bot.teams.people import asker_of
from domain.model import ActivityType, Surface
from domain.services.message_log import MessageLogService
from domain.services.message_log_model import ChatMessage, FieldError, Submission
from domain.services.resolve import Choose, NoMatch, resolve_client

COMMAND = "logToCrm"  # the action's id in teams/manifest.json
PERMALINK_HOSTS = ("https://teams.microsoft.com/", "https://teams.cloud.microsoft/")
_TAGS = re.compile(r"<[^>]+>")
_BREAKS = re.compile(r"<br\s*/?>|</p>|</div>", re.I)


def _payload(activity: Activity) -> dict[str, Any]:
    value = activity.value if isinstance(activity.value, dict) else {}
    found = value.get("messagePayload")
    return found if isinstance(found, dict) else {}


def plain(body: dict[str, Any]) -> str:
    """A Teams message body (HTML or text) as plain text."""
    content = str(body.get("content") or "")
    if str(body.get("contentType") or "html").lower() == "html":
        content = html.unescape(_TAGS.sub("", _BREAKS.sub("\n", content)))
    return "\n".join(line.strip() for line in content.replace("\xa0", " ").splitlines()).strip()


def chat_message(activity: Activity, payload: dict[str, Any]) -> ChatMessage:
    """The message the action was used on; its id stands for Slack's ``ts`` (its time)."""
    sent = str(payload.get("createdDateTime") or "")
    try:
        moment = datetime.fromisoformat(sent.replace("Z", "+00:00"))
        ts = f"{moment.timestamp():.6f}"
    except ValueError:
        ts = "x"  # refused with a clear message by ChatMessage.time
    author = ((payload.get("from") or {}).get("user") or {}) if payload else {}
    channel = (activity.conversation.id if activity.conversation else "") or "teams"
    return ChatMessage(
        channel_id=channel.split(";")[0][:64],
        ts=ts,
        text=plain(payload.get("body") or {}),
        author_name=str(author.get("displayName") or "") or None,
    )


def _permalink(text: str) -> str | None:
    return text if text.startswith(PERMALINK_HOSTS) else None


async def fetch_task(bot: TeamsBot, activity: Activity) -> dict[str, Any]:
    payload = _payload(activity)
    command = as_dict(activity.value).get("commandId")
    if command not in (None, COMMAND):
        return task_message("crmbot doesn't know that action; use “Log to CRM”.")
    if not payload:
        return task_message("Use “Log to CRM” from a message's ⋯ menu.")
    try:
        asker = await asker_of(bot.container, activity)
        draft = await MessageLogService(bot.chat).open(asker.key, chat_message(activity, payload))
    except Exception as exc:  # every error gets an answer, never a traceback
        return task_message(reply.told(exc, doing="opening the Log to CRM form"))
    link = _permalink(str(payload.get("linkToMessage") or ""))
    return task_continue(form_card(FormValues.of_draft(draft, permalink=link)))


async def submit_action(bot: TeamsBot, activity: Activity) -> dict[str, Any]:
    values = FormValues.of_data(as_dict(as_dict(activity.value).get("data")))
    try:
        asker = await asker_of(bot.container, activity)
        form = await _submission(bot, values)
        card, _ = await MessageLogService(bot.chat).submit(
            asker.key, form, permalink=_permalink(values.permalink), surface=Surface.TEAMS
        )
    except FieldError as exc:
        return task_continue(form_card(values, error=exc.user_message(), field=exc.field))
    except Exception as exc:  # the form comes back with the problem, whatever broke
        return task_continue(form_card(values, error=reply.told(exc, doing="logging a message")))
    bot.container.deliver_soon()
    return task_message(card.summary or "Logged.")


async def _submission(bot: TeamsBot, values: FormValues) -> Submission:
    if not values.token:
        raise FieldError("notes", "This form has expired. Use “Log to CRM” again.")
    try:
        kind = ActivityType(values.type or ActivityType.NOTE.value)
    except ValueError:
        raise FieldError("type", "Pick call, email, meeting or note.") from None
    return Submission(
        token=values.token,
        client=await _client_id(bot, values.client),
        type=kind,
        notes=values.notes,
        follow_up=values.follow_up,
        follow_up_when=values.follow_up_when,
    )


async def _client_id(bot: TeamsBot, text: str) -> str:
    """The client typed, as its external id; several or none is a field error."""
    if not text:
        raise FieldError("client", "Name the client (its id, name or the start of it).")
    async with bot.container.uow(read_only=True) as uow:
        found = await resolve_client(uow, text)
    if isinstance(found, NoMatch):
        close = ", ".join(c.name for c in found.suggestions[:5])
        hint = f" Close: {close}." if close else ""
        raise FieldError("client", f"No client matches “{text}”.{hint}")
    if isinstance(found, Choose):
        names = ", ".join(f"{c.name} ({c.external_id})" for c in found.candidates[:5])
        raise FieldError("client", f"Which one? {names}. Type its id.")
    return found.client.external_id
