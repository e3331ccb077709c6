"""``respond()`` over the process's one HTTP session.

Bolt's own ``respond`` builds a new ``aiohttp.ClientSession`` for every reply, so every
reply to a command pays for a new session and a new TCP (and, against Slack, TLS)
connection: about 8 % of the event loop under load (BENCHMARKS.md, "Ack latency under
load"). This one posts the same message to the same ``response_url`` through the
container's shared session, which keeps its connections alive.
"""

from __future__ import annotations

from typing import Any

import aiohttp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.context.respond.internals import _build_message
from slack_sdk.webhook import WebhookResponse
from slack_sdk.webhook.async_client import AsyncWebhookClient


class PooledRespond(AsyncRespond):
    def __init__(self, *, response_url: str | None, session: aiohttp.ClientSession) -> None:
        super().__init__(response_url=response_url)
        self.session = session

    async def __call__(  # type: ignore[override]
        self, text: str | dict[str, Any] = "", **fields: Any
    ) -> WebhookResponse:
        if self.response_url is None:
            raise ValueError("respond is unsupported here as there is no response_url")
        message = text if isinstance(text, dict) else _build_message(text=text, **fields)
        client = AsyncWebhookClient(url=self.response_url, session=self.session)
        return await client.send_dict(message)
