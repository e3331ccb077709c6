"""Webhook delivery attempts (the ``WebhookAttempts`` port)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.webhooks import WebhookAttempt
from storage.models import WebhookAttemptRow


class SqlWebhookAttempts:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def record(self, attempt: WebhookAttempt) -> None:
        self.session.add(
            WebhookAttemptRow(
                delivery_key=attempt.delivery_key[:200],
                endpoint=attempt.endpoint[:64],
                event=attempt.event[:40],
                attempt=attempt.attempt,
                attempted_at=attempt.attempted_at,
                outcome=attempt.outcome[:16],
                status_code=attempt.status_code,
                duration_ms=attempt.duration_ms,
                error=attempt.error[:2000] if attempt.error else None,
            )
        )
        await self.session.flush()

    async def for_delivery(self, delivery_key: str) -> Sequence[WebhookAttempt]:
        rows = await self.session.execute(
            select(WebhookAttemptRow)
            .where(WebhookAttemptRow.delivery_key == delivery_key)
            .order_by(WebhookAttemptRow.attempted_at, WebhookAttemptRow.id)
        )
        return [
            WebhookAttempt(
                delivery_key=r.delivery_key,
                endpoint=r.endpoint,
                event=r.event,
                attempt=r.attempt,
                attempted_at=r.attempted_at,
                outcome=r.outcome,
                duration_ms=r.duration_ms,
                status_code=r.status_code,
                error=r.error,
                id=r.id,
            )
            for r in rows.scalars()
        ]
