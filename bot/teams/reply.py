"""Cards as Teams activities: names for the users a card mentions, then the Adaptive Card."""

from __future__ import annotations

import logging
import re
from typing import Any

from microsoft_agents.activity import Activity, ActivityTypes, Attachment

from bot.bootstrap import Container
from bot.teams import render
from domain.cards import Actions, Card, Checkboxes, Header, Note, Text
from domain.errors import CrmError

logger = logging.getLogger(__name__)

SORRY = "Something went wrong on our side and nothing was saved. Please try again."
_MENTION = re.compile(r"<@([A-Za-z0-9:_-]+)>")
NAMES_LOOKED_UP = 20


def _texts(card: Card) -> list[str]:
    out: list[str] = []
    for block in card.blocks:
        if isinstance(block, Text):
            out += [block.text, *block.fields]
        elif isinstance(block, Header | Note):
            out.append(block.text)
        elif isinstance(block, Checkboxes):
            out.append(block.label)
        elif isinstance(block, Actions):
            out += [b.label for b in block.buttons]
    return out


async def names(container: Container, card: Card) -> dict[str, str]:
    """The names of the users a card mentions (``<@id>``), as the CRM knows them."""
    ids = sorted({m for text in _texts(card) for m in _MENTION.findall(text)})[:NAMES_LOOKED_UP]
    if not ids:
        return {}
    found: dict[str, str] = {}
    async with container.uow(read_only=True) as uow:
        for slack_user_id in ids:
            user = await uow.users.get(slack_user_id)
            if user is not None:
                found[slack_user_id] = user.name
    return found


async def adaptive(
    container: Container, card: Card, *, refresh: dict[str, Any] | None = None
) -> dict[str, Any]:
    return render.adaptive_card(card, names=await names(container, card), refresh=refresh)


def message(content: dict[str, Any], summary: str = "") -> Activity:
    """A message activity carrying one Adaptive Card."""
    return Activity(
        type=ActivityTypes.message,
        summary=summary[:200] or None,
        attachments=[Attachment(content_type=render.CONTENT_TYPE, content=content)],
    )


def told(exc: Exception, *, doing: str) -> str:
    """What the user is told about an error: a domain error's own words, else sorry."""
    if isinstance(exc, CrmError):
        return exc.user_message()
    logger.exception("teams: %s failed", doing, exc_info=exc)
    return SORRY
