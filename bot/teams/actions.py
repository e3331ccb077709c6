"""``adaptiveCard/action``: the buttons of crmbot's cards in Teams (Universal Actions).

The verb is the button's action_id, ``data.value`` its value; nothing in them is trusted:
the domain checks ids and tokens against the database and the user who pressed. Each
answer is the card to show instead of the pressed one. Approval cards carry ``refresh``,
so every approver who opens the chat sees the request as it stands now.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from microsoft_agents.activity import Activity

from bot.teams import proactive_actions, reply
from bot.teams.context import TeamsBot
from bot.teams.people import TeamsAsker, asker_of
from bot.teams.render import CONTENT_TYPE, NOTE
from domain.approvals.cards import APPROVE_COMMENT, APPROVE_SELECTED, SELECT
from domain.cards import Card, Divider, Text, error_card
from domain.chat import replies
from domain.chat.grammar import Simple
from domain.errors import UsageError
from domain.model import Decision, Surface
from domain.services.approvals_view import current_view
from domain.services.chat import Asker

REFRESH = "approval_refresh"
MESSAGE = "application/vnd.microsoft.activity.message"
REFRESH_USERS = 60  # Teams refreshes a card automatically for at most 60 users
SLACK_ONLY = "That button works in Slack; here, type the command (`task Acme: …`) instead."

Data = dict[str, Any]
Handler = Callable[[TeamsBot, TeamsAsker, str, Data, Activity], Awaitable[dict[str, Any]]]


def card_answer(card: dict[str, Any]) -> dict[str, Any]:
    return {"statusCode": 200, "type": CONTENT_TYPE, "value": card}


def message_answer(text: str) -> dict[str, Any]:
    """Teams shows the text and leaves the card as it was."""
    return {"statusCode": 200, "type": MESSAGE, "value": text}


def refresh_for(chain_id: int, user_ids: list[str]) -> dict[str, Any]:
    """The ``refresh`` of an approval card: Teams fetches the current card on view."""
    action = {"type": "Action.Execute", "verb": REFRESH, "data": {"value": str(chain_id)}}
    return {"action": action, "userIds": list(dict.fromkeys(user_ids))[:REFRESH_USERS]}


async def on_action(bot: TeamsBot, activity: Activity) -> dict[str, Any]:
    action = as_dict(as_dict(activity.value).get("action"))
    verb = str(action.get("verb") or "")
    data = as_dict(action.get("data"))
    handler = HANDLERS.get(verb)
    if handler is None:
        return message_answer(SLACK_ONLY)
    try:
        asker = await asker_of(bot.container, activity)
        return await handler(bot, asker, verb, data, activity)
    except Exception as exc:  # every error gets an answer, never a traceback
        return message_answer(reply.told(exc, doing=f"the {verb} button"))


def as_dict(value: object) -> dict[str, Any]:
    return dict(value) if isinstance(value, dict) else {}


def _number(data: Data) -> int:
    text = str(data.get("value") or "")
    if not text.isdigit():
        raise UsageError("That button is broken; run the command again.")
    return int(text)


def _who(asker: TeamsAsker) -> Asker:
    return Asker(asker.key, None, Surface.TEAMS)


async def _answer(bot: TeamsBot, card: Card) -> dict[str, Any]:
    bot.container.deliver_soon()
    return card_answer(await reply.adaptive(bot.container, card))


async def _done(bot: TeamsBot, asker: TeamsAsker, verb: str, data: Data, _: Activity) -> Any:
    done = await bot.chat.done(_who(asker), _number(data))
    listed = await bot.chat.handle(_who(asker), Simple("tasks"))
    return await _answer(bot, Card(done.summary, (*done.blocks, Divider(), *listed.blocks)))


async def _simple(bot: TeamsBot, asker: TeamsAsker, verb: str, data: Data, _: Activity) -> Any:
    value = str(data.get("value") or "")
    if verb == replies.UNDO:
        return await _answer(bot, await bot.chat.undo(_who(asker), _number(data)))
    if verb == replies.ACCEPT:
        return await _answer(bot, await bot.chat.accept(_who(asker), value))
    token, _bar, external_id = value.partition("|")
    return await _answer(bot, await bot.chat.pick(_who(asker), token, external_id))


async def _decide(bot: TeamsBot, asker: TeamsAsker, verb: str, data: Data, act: Activity) -> Any:
    chain = _number(data)
    note = str(data.get(NOTE) or "").strip()
    if verb == replies.REJECT and not note:
        told = error_card("Say why you reject it: write the reason in the box, then press Reject.")
        return await _approval(bot, asker, chain, act, told=told)
    decision = Decision.REJECTED if verb == replies.REJECT else Decision.APPROVED
    told = await bot.container.approvals.decide(
        asker.key, chain, decision, surface=Surface.TEAMS, comment=note or None
    )
    bot.container.deliver_soon()
    return await _approval(bot, asker, chain, act, told=told)


async def _refresh(bot: TeamsBot, asker: TeamsAsker, verb: str, data: Data, act: Activity) -> Any:
    return await _approval(bot, asker, _number(data), act, told=None)


async def _approval(
    bot: TeamsBot, asker: TeamsAsker, chain: int, activity: Activity, *, told: Card | None
) -> dict[str, Any]:
    view = await current_view(bot.container.approvals.deps, asker.key, chain)
    card = view.card
    if told is not None:
        card = Card(card.summary, (*told.blocks, Divider(), *card.blocks))
    users = [activity.from_property.id] if activity.from_property else []
    async with bot.container.uow(read_only=True) as uow:
        for approver in view.approvers:
            ref = await uow.teams_refs.get(approver)
            if ref is not None and ref.teams_user_id:
                users.append(ref.teams_user_id)
    content = await reply.adaptive(bot.container, card, refresh=refresh_for(chain, users))
    return card_answer(content)


async def _approve_selected(
    bot: TeamsBot, asker: TeamsAsker, verb: str, data: Data, _: Activity
) -> Any:
    ticked = [v for v in str(data.get(SELECT) or "").split(",") if v.strip()]
    chains = []
    for value in ticked:
        chains.append(_number({"value": value.strip()}))
    told = await bot.container.approvals.approve_many(asker.key, chains, surface=Surface.TEAMS)
    listed = await bot.chat.handle(_who(asker), Simple("quotes"))
    blocks = (*told.blocks, Divider(), *listed.blocks)
    return await _answer(bot, Card(told.summary, blocks or (Text(told.summary),)))


HANDLERS: dict[str, Handler] = {
    replies.DONE: _done,
    replies.UNDO: _simple,
    replies.ACCEPT: _simple,
    replies.PICK: _simple,
    replies.APPROVE: _decide,
    replies.REJECT: _decide,
    APPROVE_COMMENT: _decide,
    APPROVE_SELECTED: _approve_selected,
    REFRESH: _refresh,
}
HANDLERS |= proactive_actions.HANDLERS  # Snooze and risk-alert buttons on proactive cards
