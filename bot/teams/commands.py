"""Commands typed to the bot in Teams: the ``/crm`` grammar, the same chat service.

In a personal chat the text is the command (``tasks``, ``log call Acme: …``); in a channel
the bot is @mentioned first, and the mention is taken off. A leading ``/crm`` is accepted
too. Replies are Adaptive Cards in the conversation the command came from.
"""

from __future__ import annotations

import dataclasses
import html
import re

from microsoft_agents.activity import Activity

from bot.teams import reply
from bot.teams.context import TeamsBot
from bot.teams.people import TeamsAsker, asker_of
from domain.cards import Card, Note, error_card, info_card
from domain.chat.grammar import (
    ClientQuery,
    Command,
    CreateTask,
    Help,
    Invalid,
    OpenModal,
    Simple,
    parse,
)
from domain.chat.help import help_card
from domain.model import Surface
from domain.services.chat import Asker, with_newcomer_note

_TAGS = re.compile(r"<[^>]+>")
_BREAKS = re.compile(r"<br\s*/?>|</p>|</div>", re.I)
_AT = re.compile(r"<at>.*?</at>", re.S)
SLACK_ONLY = {
    "link": "Linking a channel to a client works in Slack for now; name the client instead.",
    "unlink": "Linking a channel to a client works in Slack for now; there is nothing to unlink.",
}
TEAMS_HINT = "In Teams, type the same commands to me without `/crm` (in a channel, @mention me)."


def command_text(activity: Activity) -> tuple[str, bool]:
    """The command typed, without the bot's @mention; True when another user is mentioned."""
    text = activity.remove_recipient_mention()
    bot_name = activity.recipient.name if activity.recipient else None
    if bot_name:  # a mention Teams sent without its entity
        text = re.sub(f"<at>{re.escape(bot_name)}</at>", "", text)
    others = bool(_AT.search(text))
    text = html.unescape(_TAGS.sub("", _BREAKS.sub(" ", text))).replace("\xa0", " ").strip()
    if text.lower().startswith("/crm"):
        text = text[4:].strip()
    return text, others


async def is_repeat(bot: TeamsBot, activity: Activity) -> bool:
    """True for an activity seen before (the connector redelivers): it must not run twice."""
    conversation = activity.conversation.id if activity.conversation else ""
    if not activity.id:
        return False
    async with bot.container.uow() as uow:
        first = await uow.requests.first_time(
            f"teams:{conversation}:{activity.id}"[:200], now=bot.container.clock()
        )
        await uow.commit()
    return not first


async def on_message(bot: TeamsBot, activity: Activity) -> Card:
    """The reply card for a typed command (never raises: errors become a card)."""
    text, others = command_text(activity)
    parsed = parse(text)
    if isinstance(parsed, Help):
        card = help_card()
        return dataclasses.replace(card, blocks=(*card.blocks, Note(TEAMS_HINT)))
    if isinstance(parsed, Invalid):
        return error_card(parsed.message)
    if refused := _refusal(parsed, others):
        return error_card(refused)
    try:
        asker = await asker_of(bot.container, activity)
        card = await _run(bot, asker, parsed)
    except Exception as exc:  # every error gets a reply, never a traceback
        return error_card(reply.told(exc, doing=f"a Teams command ({type(parsed).__name__})"))
    bot.container.deliver_soon()
    return card


def _refusal(parsed: Command, others: bool) -> str | None:
    if isinstance(parsed, OpenModal):
        return (
            f"The `{parsed.kind}` form is in Slack; here, type it in one line: "
            "`log call Acme: notes`, `task Acme: title | tomorrow 3pm`."
        )
    verb = parsed.verb if isinstance(parsed, Simple | ClientQuery) else ""
    if verb in SLACK_ONLY:
        return SLACK_ONLY[verb]
    if others and isinstance(parsed, CreateTask):
        return "Assigning a task by @mention works in Slack for now; tasks made here are yours."
    return None


async def _run(bot: TeamsBot, asker: TeamsAsker, parsed: Command) -> Card:
    who = Asker(asker.key, None, Surface.TEAMS)
    async with bot.container.command_slots:
        card = await bot.chat.handle(who, parsed)
    card = dataclasses.replace(card, shareable=False, share_ref="")
    if asker.newcomer:
        async with bot.container.uow(read_only=True) as uow:
            card = await with_newcomer_note(uow, card)
    return card or info_card("Done.")


async def on_installed(bot: TeamsBot, activity: Activity) -> Card | None:
    """The bot added to a personal chat: keep the chat for later messages, say hello once.
    None when there is nothing to say (someone else joined, or a channel)."""
    added = [m.id for m in activity.members_added or []]
    mine = activity.recipient is not None and activity.recipient.id in added
    personal = activity.conversation is not None and (
        activity.conversation.conversation_type in (None, "personal")
    )
    if not (mine and personal):
        return None
    try:
        asker = await asker_of(bot.container, activity)
    except Exception as exc:  # a hello that failed is logged, never shown as a traceback
        reply.told(exc, doing="remembering a new Teams chat")
        return None
    card = help_card()
    hello = Note(":wave: Hi! I'm crmbot. " + TEAMS_HINT)
    card = dataclasses.replace(card, blocks=(*card.blocks, hello))
    if asker.newcomer:
        async with bot.container.uow(read_only=True) as uow:
            card = await with_newcomer_note(uow, card)
    return card
