"""Clients and channel links."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.model import Client
from domain.ports import UpsertResult
from storage.models import ChannelLinkRow, ClientRow, UserRow
from storage.repositories._bulk import id_map, upsert


def name_key(name: str) -> str:
    """The casefolded, space-normalised form that exact and prefix lookups compare."""
    return " ".join(name.casefold().split())


def client_entity(row: ClientRow, owner_slack_id: str | None) -> Client:
    return Client(
        external_id=row.external_id,
        name=row.name,
        owner_slack_user_id=owner_slack_id,
        email=row.email,
        phone=row.phone,
        credit_limit=row.credit_limit,
        payment_terms_days=row.payment_terms_days,
        tags=list(row.tags or []),
        acquisition_cost=row.acquisition_cost,
        created_at=row.created_at,
        placeholder=row.placeholder,
        id=row.id,
    )


def _with_owner() -> Any:
    return select(ClientRow, UserRow.slack_user_id).outerjoin(
        UserRow, ClientRow.owner_id == UserRow.id
    )


class SqlClientRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _one(self, condition: Any) -> Client | None:
        found = (await self.session.execute(_with_owner().where(condition))).first()
        return client_entity(found[0], found[1]) if found else None

    async def get(self, external_id: str) -> Client | None:
        return await self._one(ClientRow.external_id == external_id)

    async def get_by_id(self, client_id: int) -> Client | None:
        return await self._one(ClientRow.id == client_id)

    async def existing_ids(self, external_ids: Iterable[str]) -> set[str]:
        return set(await id_map(self.session, ClientRow, "external_id", external_ids))

    async def count(self) -> int:
        return int((await self.session.execute(select(func.count(ClientRow.id)))).scalar_one())

    async def upsert_many(self, clients: Sequence[Client]) -> UpsertResult:
        now = datetime.now(UTC)
        owners = await id_map(
            self.session,
            UserRow,
            "slack_user_id",
            [c.owner_slack_user_id for c in clients if c.owner_slack_user_id],
        )
        records: list[dict[str, Any]] = [
            {
                "external_id": c.external_id,
                "name": c.name,
                "name_key": name_key(c.name),
                "owner_id": owners.get(c.owner_slack_user_id or ""),
                "email": c.email,
                "phone": c.phone,
                "credit_limit": c.credit_limit,
                "payment_terms_days": c.payment_terms_days,
                "tags": list(c.tags),
                "acquisition_cost": c.acquisition_cost,
                "placeholder": False,
            }
            for c in clients
        ]
        for record, client in zip(records, clients, strict=True):
            # the client's own history when the file gives it, else when we first saw it
            record["created_at"] = client.created_at or now
        return await upsert(
            self.session,
            ClientRow,
            "external_id",
            records,
            on_insert={"updated_at": now},
            on_update={"updated_at": now},
            insert_only=frozenset({"created_at"}),
        )

    async def ids_for(self, external_ids: Iterable[str]) -> dict[str, int]:
        return await id_map(self.session, ClientRow, "external_id", external_ids)

    async def add_placeholders(self, external_ids: Iterable[str]) -> int:
        wanted = set(external_ids)  # read once: it may be a generator
        missing = wanted - await self.existing_ids(wanted)
        now = datetime.now(UTC)
        rows = [
            {
                "external_id": x,
                "name": x,
                "name_key": name_key(x),
                "tags": [],
                "placeholder": True,
                "created_at": now,
                "updated_at": now,
            }
            for x in sorted(missing)
        ]
        if rows:
            await self.session.execute(insert(ClientRow), rows)
        return len(rows)


class SqlChannelLinks:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def client_for(self, channel_id: str) -> Client | None:
        query = _with_owner().join(ChannelLinkRow, ChannelLinkRow.client_id == ClientRow.id)
        found = (
            await self.session.execute(query.where(ChannelLinkRow.channel_id == channel_id))
        ).first()
        return client_entity(found[0], found[1]) if found else None

    async def link(self, channel_id: str, client_id: int, *, by: str, now: datetime) -> None:
        await self.unlink(channel_id)
        self.session.add(
            ChannelLinkRow(channel_id=channel_id, client_id=client_id, linked_by=by, linked_at=now)
        )
        await self.session.flush()

    async def unlink(self, channel_id: str) -> bool:
        result = await self.session.execute(
            delete(ChannelLinkRow).where(ChannelLinkRow.channel_id == channel_id)
        )
        return bool(getattr(result, "rowcount", 0))
