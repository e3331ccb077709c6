"""Delivers outbox rows of kind ``teams.send``: one activity posted into a Teams chat.

The outbox sender (``schedulers/outbox.py``) claims the rows and applies its lease and
back-off; this module makes the Bot Connector call and sorts its answer. The row's payload
holds the conversation reference (``serviceUrl``, conversation id, bot id) and the activity
(an Adaptive Card attachment), so the call is
``POST {serviceUrl}/v3/conversations/{conversationId}/activities``.

2xx is sent; 429 (honouring ``Retry-After``), 408, 5xx, a timeout or a connection error is
worth another try; any other answer (401/403: the bot is not allowed there, 404: the
conversation is gone, 400: the card is refused) fails the row for good. With
``TEAMS_APP_ID`` set every call carries a Bot Framework token from the Agents SDK's MSAL
provider; without it (local tests against ``bot/localteams.py``) none is sent.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote, urlsplit

import aiohttp

from domain.model import OutboxMessage

logger = logging.getLogger(__name__)

Outcome = Literal["sent", "transient", "permanent"]
TokenSource = Callable[[], Awaitable[str]]
BOT_FRAMEWORK = "https://api.botframework.com"
_TOKEN_SCOPES = [f"{BOT_FRAMEWORK}/.default"]


@dataclass(frozen=True)
class Sent:
    outcome: Outcome
    error: str = ""
    activity_id: str | None = None
    retry_after: float | None = None


def _sorted(status: int, headers: Mapping[str, str], body: Any) -> Sent:
    if 200 <= status < 300:
        found = body.get("id") if isinstance(body, Mapping) else None
        # outbox.sent_ts holds 32 characters: a longer id is not kept
        kept = str(found) if found and len(str(found)) <= 32 else None
        return Sent("sent", activity_id=kept)
    if status in (408, 429) or status >= 500:
        return Sent("transient", f"http_{status}", retry_after=_retry_after(headers))
    return Sent("permanent", f"http_{status}")


def _retry_after(headers: Mapping[str, str]) -> float | None:
    try:
        return max(0.0, float(headers.get("Retry-After", "")))
    except ValueError:
        return None


def activity_url(reference: Mapping[str, Any]) -> str:
    """Where an activity for this conversation is posted; ValueError when unusable."""
    service_url = str(reference.get("serviceUrl") or "")
    conversation = reference.get("conversation")
    conversation_id = conversation.get("id") if isinstance(conversation, Mapping) else None
    if urlsplit(service_url).scheme not in ("http", "https") or not conversation_id:
        raise ValueError("the conversation reference has no serviceUrl or conversation id")
    path = f"v3/conversations/{quote(str(conversation_id), safe='')}/activities"
    return f"{service_url.rstrip('/')}/{path}"


def activity_body(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The activity as the connector takes it: from the bot, into the conversation."""
    reference = payload.get("reference") or {}
    activity = dict(payload.get("activity") or {})
    activity.setdefault("type", "message")
    if reference.get("bot"):
        activity.setdefault("from", reference["bot"])
    if reference.get("user"):
        activity.setdefault("recipient", reference["user"])
    activity.setdefault("conversation", {"id": reference["conversation"]["id"]})
    return activity


class TeamsDelivery:
    """POSTs one ``teams.send`` row to the Bot Connector of its conversation."""

    def __init__(self, *, tokens: TokenSource | None = None, timeout_seconds: float = 10.0):
        self._tokens, self.timeout_seconds = tokens, timeout_seconds

    async def deliver(self, message: OutboxMessage) -> Sent:
        payload: Mapping[str, Any] = message.payload
        try:
            url = activity_url(payload.get("reference") or {})
            body = activity_body(payload)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            return Sent("permanent", f"bad teams payload: {exc}"[:300])
        try:
            headers = await self._headers()
        except Exception as exc:  # MSAL raises its own types; a token may come next time
            logger.warning("teams: no Bot Framework token: %s", type(exc).__name__)
            return Sent("transient", f"token: {type(exc).__name__}")
        return await self._post(url, body, headers, message.key)

    async def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        if self._tokens is not None:
            headers["Authorization"] = f"Bearer {await self._tokens()}"
        return headers

    async def _post(
        self, url: str, body: dict[str, Any], headers: dict[str, str], key: str
    ) -> Sent:
        timeout = aiohttp.ClientTimeout(total=self.timeout_seconds)
        try:
            async with (
                aiohttp.ClientSession(timeout=timeout) as http,
                http.post(url, json=body, headers=headers, allow_redirects=False) as r,
            ):
                answer = await r.json(content_type=None) if r.content_length != 0 else {}
                sent = _sorted(r.status, r.headers, answer)
        except (aiohttp.InvalidURL, ValueError) as exc:
            sent = Sent("permanent", f"{type(exc).__name__}: {exc}"[:300])
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            sent = Sent("transient", f"{type(exc).__name__}: {exc}"[:300])
        logger.info("teams: %s -> %s %s", key, sent.outcome, sent.error)
        return sent


def msal_tokens(*, app_id: str, password: str | None, tenant_id: str | None) -> TokenSource:
    """Bot Framework tokens for the bot's app registration, cached by MSAL until expiry."""
    from microsoft_agents.authentication.msal import MsalAuth
    from microsoft_agents.hosting.core import AgentAuthConfiguration

    auth = MsalAuth(
        AgentAuthConfiguration(
            client_id=app_id, client_secret=password, tenant_id=tenant_id or "botframework.com"
        )
    )

    async def token() -> str:
        return await auth.get_access_token(BOT_FRAMEWORK, _TOKEN_SCOPES)

    return token


def teams_delivery(
    *, app_id: str | None, password: str | None, tenant_id: str | None
) -> TeamsDelivery:
    """Authenticated with the bot's app registration when ``TEAMS_APP_ID`` is set; without
    it (local mode, tests against ``bot/localteams.py``) calls carry no token."""
    if not app_id:
        return TeamsDelivery()
    return TeamsDelivery(tokens=msal_tokens(app_id=app_id, password=password, tenant_id=tenant_id))
