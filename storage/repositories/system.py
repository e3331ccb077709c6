"""Audit log, outbox and processed-request ids."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, delete, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.model import AuditEntry, OutboxMessage, Surface
from storage.models import AuditRow, OutboxRow, PendingActionRow, ProcessedRequestRow, UserRow
from storage.repositories._claims import claimable_ids


def _insert_ignore(session: AsyncSession, model: type[AuditRow | OutboxRow | ProcessedRequestRow]):  # type: ignore[no-untyped-def]
    dialect = session.get_bind().dialect.name
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(model)


class SqlAuditLog:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, entry: AuditEntry) -> None:
        self.session.add(AuditRow(**_audit_values(entry)))
        await self.session.flush()

    async def add_many(self, entries: Sequence[AuditEntry]) -> None:
        """One ``executemany`` per thousand entries, in the caller's transaction (a Core
        insert: the ORM's bulk path costs more than the rows for an import's many)."""
        values = [_audit_values(e) for e in entries]
        table = cast(Table, AuditRow.__table__)
        for start in range(0, len(values), 1000):
            await self.session.execute(insert(table), values[start : start + 1000])

    async def list(
        self, *, client_external_id: str | None = None, since: datetime | None = None
    ) -> Sequence[AuditEntry]:
        query = select(AuditRow).order_by(AuditRow.at, AuditRow.id)
        if client_external_id:
            query = query.where(
                or_(
                    AuditRow.client_external_id == client_external_id,
                    and_(
                        AuditRow.entity_type == "client", AuditRow.entity_id == client_external_id
                    ),
                )
            )
        if since:
            query = query.where(AuditRow.at >= since)
        rows = await self.session.execute(query)
        return [
            AuditEntry(
                actor=r.actor,
                surface=Surface(r.surface),
                action=r.action,
                entity_type=r.entity_type,
                entity_id=r.entity_id,
                details=dict(r.details),
                at=r.at,
                id=r.id,
            )
            for r in rows.scalars()
        ]


def _audit_values(entry: AuditEntry) -> dict[str, Any]:
    details = dict(entry.details)
    return {
        "at": entry.at,
        "actor": entry.actor,
        "surface": str(entry.surface),
        "action": entry.action,
        "entity_type": entry.entity_type,
        "entity_id": entry.entity_id,
        "client_external_id": str(details.get("client_external_id") or "") or None,
        "details": details,
    }


class SqlOutbox:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def enqueue(self, message: OutboxMessage, *, now: datetime) -> bool:
        stmt = (
            _insert_ignore(self.session, OutboxRow)
            .values(
                key=message.key,
                kind=message.kind,
                channel=message.channel,
                team_id=message.team_id or _team_of(message.channel),
                payload=message.payload,
                status="pending",
                attempts=0,
                next_attempt_at=message.next_attempt_at or now,
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=["key"])
        )
        result = await self.session.execute(stmt)
        return bool(getattr(result, "rowcount", 0))

    async def claim_due(
        self, *, now: datetime, limit: int, lease_seconds: int
    ) -> Sequence[OutboxMessage]:
        """Lease due rows so that no other worker sends them while this one does."""
        due = (
            select(OutboxRow.id)
            .where(
                OutboxRow.status == "pending",
                OutboxRow.next_attempt_at <= now,
                or_(OutboxRow.lease_until.is_(None), OutboxRow.lease_until < now),
            )
            .order_by(OutboxRow.next_attempt_at, OutboxRow.id)
            .limit(limit)
        )
        ids = await claimable_ids(self.session, due)
        if not ids:
            return []
        until = now + timedelta(seconds=lease_seconds)
        # the conditional UPDATE is the claim on SQLite: a row leased meanwhile is skipped
        await self.session.execute(
            update(OutboxRow)
            .where(
                OutboxRow.id.in_(ids),
                or_(OutboxRow.lease_until.is_(None), OutboxRow.lease_until < now),
            )
            .values(lease_until=until, attempts=OutboxRow.attempts + 1)
        )
        rows = await self.session.execute(
            select(OutboxRow)
            .where(OutboxRow.id.in_(ids), OutboxRow.lease_until == until)
            .order_by(OutboxRow.next_attempt_at, OutboxRow.id)
        )
        return [_message(r) for r in rows.scalars()]

    async def mark_sent(self, message_id: int, *, ts: str | None, now: datetime) -> None:
        await self.session.execute(
            update(OutboxRow)
            .where(OutboxRow.id == message_id)
            .values(status="sent", sent_ts=ts, sent_at=now, lease_until=None, last_error=None)
        )

    async def mark_failed(
        self, message_id: int, *, error: str, retry_at: datetime | None, now: datetime
    ) -> None:
        values: dict[str, object] = {"last_error": error[:2000], "lease_until": None}
        if retry_at is None:
            values["status"] = "failed"
        else:
            values["next_attempt_at"] = retry_at
        await self.session.execute(
            update(OutboxRow).where(OutboxRow.id == message_id).values(**values)
        )


def _message(row: OutboxRow) -> OutboxMessage:
    return OutboxMessage(
        key=row.key,
        channel=row.channel,
        payload=dict(row.payload),
        kind=row.kind,
        status=row.status,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        sent_ts=row.sent_ts,
        last_error=row.last_error,
        id=row.id,
        team_id=row.team_id,
    )


def _team_of(channel: str) -> Any:
    """The workspace of the user a direct message goes to, read when it is queued."""
    return select(UserRow.slack_team_id).where(UserRow.slack_user_id == channel).scalar_subquery()


class SqlProcessedRequests:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def first_time(self, key: str, *, now: datetime) -> bool:
        stmt = (
            _insert_ignore(self.session, ProcessedRequestRow)
            .values(key=key, received_at=now)
            .on_conflict_do_nothing(index_elements=["key"])
        )
        result = await self.session.execute(stmt)
        return bool(getattr(result, "rowcount", 0))

    async def first_times(self, keys: Sequence[str], *, now: datetime) -> set[str]:
        if not keys:
            return set()
        stmt = (
            _insert_ignore(self.session, ProcessedRequestRow)
            .values([{"key": key, "received_at": now} for key in dict.fromkeys(keys)])
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(ProcessedRequestRow.key)
        )
        return set((await self.session.execute(stmt)).scalars())

    async def purge(self, *, before: datetime) -> int:
        result = await self.session.execute(
            delete(ProcessedRequestRow)
            .where(ProcessedRequestRow.received_at < before)
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0))


class SqlPendingActions:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def put(
        self, *, user: str, kind: str, payload: dict[str, Any], now: datetime, ttl: timedelta
    ) -> str:
        token = secrets.token_urlsafe(16)
        self.session.add(
            PendingActionRow(
                token=token,
                slack_user_id=user,
                kind=kind,
                payload=payload,
                created_at=now,
                expires_at=now + ttl,
            )
        )
        await self.session.flush()
        return token

    def _live(self, token: str, user: str, now: datetime) -> Any:
        return (
            PendingActionRow.token == token,
            PendingActionRow.slack_user_id == user,
            PendingActionRow.used_at.is_(None),
            PendingActionRow.expires_at > now,
        )

    async def peek(self, token: str, *, user: str, now: datetime) -> dict[str, Any] | None:
        row = (
            await self.session.execute(
                select(PendingActionRow).where(*self._live(token, user, now))
            )
        ).scalar_one_or_none()
        return {"kind": row.kind, **row.payload} if row else None

    async def use(self, token: str, *, user: str, now: datetime) -> dict[str, Any] | None:
        found = await self.peek(token, user=user, now=now)
        if found is None:
            return None
        result = await self.session.execute(
            update(PendingActionRow).where(*self._live(token, user, now)).values(used_at=now)
        )
        return found if getattr(result, "rowcount", 0) else None

    async def purge_expired(self, *, before: datetime) -> int:
        result = await self.session.execute(
            delete(PendingActionRow)
            .where(PendingActionRow.expires_at < before)
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0))
