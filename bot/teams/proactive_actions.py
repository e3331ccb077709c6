"""Buttons on the cards crmbot sends to Teams on its own (``bot/notifier.py``): a reminder's
**Snooze**, a risk alert's **Create retention task** and **Snooze 7 days**.

Slack answers Snooze with a modal of choices; Teams gets them as buttons in the card, and
the pick snoozes. Each runs the same domain call as the Slack handler, with the Teams
surface in the audit. ``HANDLERS`` has the ``bot/teams/actions.py`` handler shape, to be
merged into its table (``HANDLERS |= proactive_actions.HANDLERS``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from microsoft_agents.activity import Activity

from bot.alerts_wiring import alert_actions
from bot.teams import reply
from bot.teams.context import TeamsBot
from bot.teams.people import TeamsAsker
from bot.teams.render import CONTENT_TYPE
from domain.cards import Actions, Button, Card, Text
from domain.chat import replies
from domain.errors import UsageError
from domain.model import Surface
from domain.services import snooze
from domain.services.risk_alert_cards import RETENTION, SNOOZE_ALERT
from domain.text import safe

SNOOZE_PICK = "snooze_pick"  # a snooze choice picked in Teams: "task id|choice key"

Data = dict[str, Any]
Handler = Callable[[TeamsBot, TeamsAsker, str, Data, Activity], Awaitable[dict[str, Any]]]


def _number(text: object) -> int:
    value = str(text or "")
    if not value.isdigit():
        raise UsageError("That button is broken; run the command again.")
    return int(value)


async def _answer(bot: TeamsBot, card: Card) -> dict[str, Any]:
    """The card Teams shows in place of the one clicked; queued notices go out now."""
    bot.container.deliver_soon()
    return {
        "statusCode": 200,
        "type": CONTENT_TYPE,
        "value": await reply.adaptive(bot.container, card),
    }


async def _snooze(bot: TeamsBot, asker: TeamsAsker, verb: str, data: Data, _: Activity) -> Any:
    task_id, now = _number(data.get("value")), bot.container.clock()
    async with bot.container.uow() as uow:
        me = await bot.chat.actor(uow, asker.key)
        offer = await snooze.offer(uow, asker.key, task_id, now=now, tz=me.tz)
        await uow.commit()
    picks = tuple(Button(label, SNOOZE_PICK, f"{task_id}|{key}") for key, label, _ in offer.choices)
    text = f"Remind me about *{safe(offer.task.title, 200)}* again…"
    return await _answer(bot, Card(summary="Snooze", blocks=(Text(text), Actions(picks))))


async def _snooze_pick(bot: TeamsBot, asker: TeamsAsker, verb: str, data: Data, _: Activity) -> Any:
    task, _bar, choice = str(data.get("value") or "").partition("|")
    if choice not in snooze.CHOICES:
        raise UsageError("That button is broken; click Snooze again.")
    async with bot.container.uow() as uow:
        me = await bot.chat.actor(uow, asker.key)
        card = await snooze.snooze(
            uow, me, _number(task), choice=choice, typed=None, surface=Surface.TEAMS,
            now=bot.container.clock(),
        )  # fmt: skip
        await uow.commit()
    return await _answer(bot, card)


async def _alert(bot: TeamsBot, asker: TeamsAsker, verb: str, data: Data, _: Activity) -> Any:
    actions = alert_actions(bot.container)
    act = actions.retention if verb == RETENTION else actions.snooze
    card, _changed = await act(asker.key, _number(data.get("value")), surface=Surface.TEAMS)
    return await _answer(bot, card)


HANDLERS: dict[str, Handler] = {
    replies.SNOOZE: _snooze,
    SNOOZE_PICK: _snooze_pick,
    RETENTION: _alert,
    SNOOZE_ALERT: _alert,
}
