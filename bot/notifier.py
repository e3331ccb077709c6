"""Direct messages on the platform each user chose: Slack, or Teams once they wrote there.

Reminders, digests, risk alerts and task notices all tell a user something through the
``Notifier`` port. ``RoutingNotifier`` sends it to Teams when the user picked Teams in
``/crm settings`` and has a personal chat with the bot there, else to Slack as before. Both
go through the outbox under the same logical key, so a message is queued once and reaches
the user on one platform only, however often the job that queues it runs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, cast

from domain.cards import Card
from domain.model import OutboxMessage
from domain.ports import UnitOfWork
from domain.ports_chat import Notifier
from domain.ports_teams import TeamsUnitOfWork
from domain.services.teams_refs import teams_target
from domain.teams import TEAMS_SEND, TeamsConversationRef

AdaptiveRenderer = Callable[[Card, Mapping[str, str]], dict[str, Any]]
_MENTION = re.compile(r"<@([A-Za-z0-9:_-]+)>")
NAMES_LOOKED_UP = 20


def _adaptive(card: Card, names: Mapping[str, str]) -> dict[str, Any]:
    from bot.teams.render import adaptive_card, attachment

    return attachment(adaptive_card(card, names=names))


async def _names(uow: UnitOfWork, card: Card) -> dict[str, str]:
    """The users a card mentions (``<@id>``, as Slack shows them), by their CRM names."""
    found: dict[str, str] = {}
    for slack_user_id in sorted(set(_MENTION.findall(repr(card.blocks))))[:NAMES_LOOKED_UP]:
        user = await uow.users.get(slack_user_id)
        if user is not None:
            found[slack_user_id] = user.name
    return found


def teams_payload(
    ref: TeamsConversationRef, card: Card, attachment: dict[str, Any]
) -> dict[str, Any]:
    """An outbox ``teams.send`` payload: where to post, and the message (one card)."""
    return {
        "reference": ref.as_reference(),
        "activity": {"type": "message", "summary": card.summary, "attachments": [attachment]},
    }


class RoutingNotifier:
    """Teams for users who chose it and can be reached there; Slack for everyone else."""

    def __init__(self, slack: Notifier, *, render: AdaptiveRenderer = _adaptive) -> None:
        self._slack, self._render = slack, render

    async def notify(
        self, uow: UnitOfWork, *, to: str, card: Card, key: str, now: datetime
    ) -> bool:
        # every unit of work crmbot runs is storage.uow.SqlUnitOfWork, which has teams_refs
        ref = await teams_target(cast(TeamsUnitOfWork, uow), to)
        if ref is None:
            return await self._slack.notify(uow, to=to, card=card, key=key, now=now)
        attachment = self._render(card, await _names(uow, card))
        message = OutboxMessage(
            key=key, channel=to, kind=TEAMS_SEND, payload=teams_payload(ref, card, attachment)
        )
        return bool(await uow.outbox.enqueue(message, now=now))


def notifier() -> RoutingNotifier:
    """The notifier every job and command uses."""
    from bot.slack.adapters import SlackNotifier

    return RoutingNotifier(SlackNotifier())
