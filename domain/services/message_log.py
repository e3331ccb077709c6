"""Logging a chat message as an activity: the "Log to CRM" message shortcut.

Opening the form reads only what it must (the channel's linked client, an earlier log of
the same message) and keeps the whole message server-side, behind a token: the form's
text box holds at most ``FORM_NOTES_MAX`` characters, the stored note is the whole text.
Submitting checks every field before writing anything, asks once before logging the same
message twice, and stores the activity at the message's own time with its permalink.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from domain.cards import Card, Note, Text
from domain.chat.grammar import CreateTask, LogActivity
from domain.chat.guess import guess_type
from domain.chat.message_text import mentioned_users, plain
from domain.dates import format_when
from domain.model import Client, Surface
from domain.ports import UnitOfWork
from domain.ports_api import Webhooks
from domain.ports_chat import Notifier
from domain.services import activities, tasks
from domain.services.chat import ChatService
from domain.services.identity import Actor
from domain.services.message_log_model import (
    ChatMessage,
    Draft,
    Earlier,
    FieldError,
    Submission,
    follow_up_when,
    notes_to_keep,
)

DRAFT_TTL = timedelta(days=1)
KIND = "log_message"


async def draft(uow: UnitOfWork, clicker: str, message: ChatMessage, *, now: datetime) -> Draft:
    """Read the channel's client and any earlier log; keep the whole text behind a token."""
    linked = await uow.links.client_for(message.channel_id)
    author = await _name(uow, message.author, message.author_name)
    notes = plain(message.text, await _names(uow, mentioned_users(message.text)))
    if author:
        notes = f"Message from {author}:\n{notes}"
    fixed = linked is not None and message.shared
    token = await uow.pending.put(
        user=clicker,
        kind=KIND,
        payload={
            **dataclasses.asdict(message),
            "notes": notes,
            "client_id": linked.id if fixed and linked else None,
        },
        now=now,
        ttl=DRAFT_TTL,
    )
    return Draft(
        token=token,
        message=message,
        notes=notes,
        type=guess_type(notes),
        client=linked,
        client_fixed=fixed,
        occurred_at=message.time(now=now),
        earlier=await _earlier(uow, message.source_ref),
    )


async def submit(
    uow: UnitOfWork,
    me: Actor,
    form: Submission,
    *,
    now: datetime,
    permalink: str | None,
    notifier: Notifier,
    webhooks: Webhooks,
    surface: Surface = Surface.SHORTCUT,
) -> tuple[Card, str | None]:
    """Log the activity (and the follow-up task); the confirmation and where to send it.
    ``surface``: the shortcut's platform (Slack's shortcut, Teams' message extension)."""
    kept = await uow.pending.peek(form.token, user=me.slack_user_id, now=now)
    if kept is None or kept.get("kind") != KIND:
        raise FieldError("notes", "This form has expired (or was sent). Use the shortcut again.")
    message = ChatMessage(**{f.name: kept[f.name] for f in dataclasses.fields(ChatMessage)})
    client = await _client(uow, form, kept)
    notes = notes_to_keep(form.notes, whole=str(kept["notes"]))
    due = follow_up_when(form, now=now, tz=me.tz)
    await _ask_before_twice(uow, me, message, form.token, now=now)
    if await uow.pending.use(form.token, user=me.slack_user_id, now=now) is None:
        raise FieldError("notes", "This form was already sent.")
    card = await activities.log(
        uow,
        me,
        LogActivity(form.type, client.external_id, notes),
        client=client,
        surface=surface,
        now=now,
        permalink=permalink,
        source_ref=message.source_ref,
        webhooks=webhooks,
        at=message.time(now=now),
    )
    extra: list[Text | Note] = [Note(_source_line(message, permalink))]
    if due is not None:
        task = CreateTask(client.external_id, form.follow_up.strip(), None, due or None)
        extra += await _follow_up_task(
            uow, me, task, client, notifier=notifier, now=now, surface=surface
        )
    return dataclasses.replace(card, blocks=(*card.blocks, *extra)), message.response_url


async def _follow_up_task(
    uow: UnitOfWork,
    me: Actor,
    task: CreateTask,
    client: Client,
    *,
    notifier: Notifier,
    now: datetime,
    surface: Surface,
) -> list[Text]:
    made = await tasks.create(
        uow, me, me, task, client=client, notifier=notifier, surface=surface, now=now
    )
    return [b for b in made.blocks if isinstance(b, Text)]


async def _client(uow: UnitOfWork, form: Submission, kept: dict[str, object]) -> Client:
    fixed = kept.get("client_id")
    client = await uow.clients.get_by_id(int(str(fixed))) if fixed else None
    if client is None and form.client:
        client = await uow.clients.get(form.client)
    if client is None:
        raise FieldError("client", "Pick a client from the list.")
    return client


async def _ask_before_twice(
    uow: UnitOfWork, me: Actor, message: ChatMessage, token: str, *, now: datetime
) -> None:
    """The first submission of a message logged before is refused with who and when; the
    refusal is remembered, so submitting the same form again logs it a second time."""
    earlier = await _earlier(uow, message.source_ref)
    if earlier is None or not await uow.requests.first_time(f"log-again:{token}", now=now):
        return
    await uow.commit()
    who = f" by {earlier.by_name}" if earlier.by_name else ""
    raise FieldError(
        "notes",
        f"This message was already logged on {format_when(earlier.at, me.tz, now=now)}{who}; "
        "submit again to log it twice.",
    )


async def _earlier(uow: UnitOfWork, source_ref: str) -> Earlier | None:
    found = await uow.activities.from_source(source_ref)
    if not found:
        return None
    last = found[-1]
    name = await _name(uow, last.author_slack_user_id, None)
    return Earlier(last.author_slack_user_id, name, last.created_at or last.occurred_at)


async def _name(uow: UnitOfWork, slack_user_id: str | None, given: str | None) -> str | None:
    if given or not slack_user_id:
        return given
    user = await uow.users.get(slack_user_id)
    return user.name if user else slack_user_id


async def _names(uow: UnitOfWork, slack_user_ids: set[str]) -> dict[str, str]:
    names = {u: await _name(uow, u, None) for u in sorted(slack_user_ids)[:20]}
    return {u: n for u, n in names.items() if n}


def _source_line(message: ChatMessage, permalink: str | None) -> str:
    by = f" by <@{message.author}>" if message.author else ""
    link = f"<{permalink}|a message>" if permalink else "a message"
    return f"From {link}{by}" + (" in a shared channel" if message.shared else "")


class MessageLogService:
    """The shortcut's two steps, each in one unit of work, on the chat service's wiring."""

    def __init__(self, chat: ChatService) -> None:
        self.chat = chat

    async def open(self, clicker: str, message: ChatMessage) -> Draft:
        async with self.chat.deps.uow() as uow:
            found = await draft(uow, clicker, message, now=self.chat.deps.clock())
            await uow.commit()
            return found

    async def submit(
        self,
        clicker: str,
        form: Submission,
        *,
        permalink: str | None,
        surface: Surface = Surface.SHORTCUT,
    ) -> tuple[Card, str | None]:
        deps = self.chat.deps
        async with deps.uow() as uow:
            me = await self.chat.actor(uow, clicker)
            logged = await submit(
                uow,
                me,
                form,
                now=deps.clock(),
                permalink=permalink,
                notifier=deps.notifier,
                webhooks=deps.webhooks,
                surface=surface,
            )
            await uow.commit()
            return logged
