"""Delivers outbox rows of kind ``webhook``: one signed HTTP POST per try, each recorded.

The outbox sender (``schedulers/outbox.py``) claims the rows and applies its back-off;
this module only makes the call and sorts its answer: 2xx is delivered; 429, 5xx, a
timeout or a connection error is worth another try; any other answer (a 3xx is not
followed, a 4xx means the receiver refuses this body) fails the row for good. Every try
is kept in ``webhook_attempts`` with its status, duration and error.

The endpoint's URL and secret are read from the policy at send time by the row's
endpoint name, so no secret is ever stored in the database; a row whose endpoint is no
longer configured fails. Each try is signed with the time it is sent, so a receiver can
refuse an old (replayed) request: ``v1=`` HMAC-SHA256 of ``"{timestamp}.{body}"``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from urllib.parse import quote

import aiohttp

from domain.model import OutboxMessage
from domain.ports_api import ApiUnitOfWorkFactory
from domain.webhook_signing import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    encode_body,
    signature,
)
from domain.webhooks import Endpoint, WebhookAttempt

logger = logging.getLogger(__name__)

Outcome = Literal["sent", "transient", "permanent"]
_RECORDED = {"sent": "delivered", "transient": "retry", "permanent": "rejected"}
USER_AGENT = "crmbot-webhooks/1"


@dataclass(frozen=True)
class Delivery:
    outcome: Outcome
    error: str = ""
    status: int | None = None


def _sorted(status: int) -> Delivery:
    if 200 <= status < 300:
        return Delivery("sent", status=status)
    if status in (408, 429) or status >= 500:
        return Delivery("transient", f"http_{status}", status)
    return Delivery("permanent", f"http_{status}", status)


class WebhookDelivery:
    """POSTs one webhook row to its endpoint and records the try."""

    def __init__(
        self,
        uow_factory: ApiUnitOfWorkFactory,
        endpoints: Mapping[str, Endpoint],
        *,
        timeout_seconds: float = 10.0,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self._uows, self._endpoints = uow_factory, endpoints
        self.timeout_seconds, self._wall = timeout_seconds, wall

    async def deliver(self, message: OutboxMessage, *, now: datetime) -> Delivery:
        endpoint = self._endpoints.get(message.channel)
        started = time.perf_counter()
        if endpoint is None:
            delivery = Delivery("permanent", f"endpoint {message.channel!r} is not configured")
        else:
            delivery = await self._post(endpoint, message)
        duration_ms = int((time.perf_counter() - started) * 1000)
        await self._record(message, delivery, duration_ms, now)
        return delivery

    async def _post(self, endpoint: Endpoint, message: OutboxMessage) -> Delivery:
        body = encode_body(_body_of(message))
        timestamp = str(int(self._wall()))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            EVENT_HEADER: str(message.payload.get("event", "")),
            DELIVERY_HEADER: quote(message.key, safe=":/._-@+=,"),
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: signature(endpoint.secret, timestamp, body),
        }
        timeout = aiohttp.ClientTimeout(total=self.timeout_seconds)
        try:
            async with (
                aiohttp.ClientSession(timeout=timeout) as http,
                http.post(endpoint.url, data=body, headers=headers, allow_redirects=False) as r,
            ):
                await r.read()
                return _sorted(r.status)
        except (aiohttp.InvalidURL, ValueError) as exc:
            return Delivery("permanent", f"{type(exc).__name__}: {exc}"[:300])
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            return Delivery("transient", f"{type(exc).__name__}: {exc}"[:300])

    async def _record(
        self, message: OutboxMessage, delivery: Delivery, duration_ms: int, now: datetime
    ) -> None:
        attempt = WebhookAttempt(
            delivery_key=message.key,
            endpoint=message.channel,
            event=str(message.payload.get("event", "")),
            attempt=message.attempts,
            attempted_at=now,
            outcome=_RECORDED[delivery.outcome],
            duration_ms=duration_ms,
            status_code=delivery.status,
            error=delivery.error or None,
        )
        async with self._uows() as uow:
            await uow.webhook_attempts.record(attempt)
            await uow.commit()
        logger.info(
            "webhook %s try %d: %s %s in %d ms",
            *(message.key, message.attempts, attempt.outcome, delivery.status, duration_ms),
        )


def _body_of(message: OutboxMessage) -> Mapping[str, object]:
    body = message.payload.get("body")
    return body if isinstance(body, Mapping) else {}
