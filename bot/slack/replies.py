"""Ways to answer a user outside of ``ack``: the response_url, or an ephemeral post."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import render
from domain.cards import Card

logger = logging.getLogger(__name__)


async def ephemeral(
    card: Card, *, body: dict[str, Any], respond: Any, client: AsyncWebClient
) -> None:
    """Reply only to the user who asked, by whichever channel the request offers."""
    if body.get("response_url") or body.get("response_urls"):
        await respond(**render.message(card, response_type="ephemeral", replace_original=False))
        return
    user = (body.get("user") or {}).get("id") or body.get("user_id")
    channel = (body.get("channel") or {}).get("id") or body.get("channel_id")
    if user and channel:
        await client.chat_postEphemeral(channel=channel, user=user, **render.message(card))
    elif user:
        dm = await client.conversations_open(users=user)
        await client.chat_postMessage(channel=dm["channel"]["id"], **render.message(card))
    else:
        logger.warning("no way to reply to request without user: %s", body.get("type"))
