"""Methods that edit a message name its conversation, never a user.

A direct message is queued to a user id (``chat.postMessage`` opens the DM itself), but
``chat.update`` and ``chat.delete`` need the DM's conversation id (``D…``).
``conversations.open`` is idempotent: it returns the same DM every time.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from domain.model import OutboxMessage

EDITS = frozenset({"chat.update", "chat.delete"})


async def dm_arguments(
    client: AsyncWebClient, message: OutboxMessage, arguments: dict[str, Any]
) -> dict[str, Any]:
    channel = str(arguments.get("channel") or "")
    if message.kind in EDITS and channel[:1] in ("U", "W"):
        opened = await client.conversations_open(users=channel)
        arguments = {**arguments, "channel": opened["channel"]["id"]}
    return arguments
