"""Ways to answer a user outside of ``ack``: the response_url, or an ephemeral post."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import render
from domain.cards import Card

logger = logging.getLogger(__name__)


async def post_ephemeral(
    client: AsyncWebClient, card: Card, *, user: str, channel: str | None
) -> None:
    """Ephemeral in the channel when there is one, else a direct message."""
    if channel:
        await client.chat_postEphemeral(channel=channel, user=user, **render.message(card))
    else:
        await client.chat_postMessage(channel=user, **render.message(card))


async def ephemeral(
    card: Card, *, body: dict[str, Any], respond: Any, client: AsyncWebClient
) -> None:
    """Reply only to the user who asked, by whichever channel the request offers."""
    if body.get("response_url") or body.get("response_urls"):
        await respond(**render.message(card, response_type="ephemeral", replace_original=False))
        return
    user = (body.get("user") or {}).get("id") or body.get("user_id")
    channel = (body.get("channel") or {}).get("id") or body.get("channel_id")
    if user:
        await post_ephemeral(client, card, user=user, channel=channel)
    else:
        logger.warning("no way to reply to request without user: %s", body.get("type"))
