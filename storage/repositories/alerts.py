"""The ``RiskAlertStore`` port on SQLAlchemy: hysteresis state, alerts, quotas, marks."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from domain.ports_alerts import RiskAlert
from storage.models import (
    AlertQuotaRow,
    ClientRow,
    JobMarkRow,
    RiskAlertRow,
    RiskStateRow,
    UserRow,
)
from storage.repositories._bulk import chunks
from storage.repositories.digest import client_line, insert_for, user_id


class SqlRiskAlertStore:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def armed(self, client_ids: Iterable[int]) -> dict[int, bool]:
        found: dict[int, bool] = {}
        for part in chunks(sorted(set(client_ids))):
            rows = await self.session.execute(
                select(RiskStateRow.client_id, RiskStateRow.armed).where(
                    RiskStateRow.client_id.in_(part)
                )
            )
            found.update({c: bool(a) for c, a in rows})
        return found

    async def disarm(self, client_id: int, *, score: int, now: datetime) -> bool:
        inserted = await self.session.execute(
            insert_for(self.session, RiskStateRow)
            .values(client_id=client_id, armed=False, risk_score=score, changed_at=now)
            .on_conflict_do_nothing(index_elements=["client_id"])
        )
        if getattr(inserted, "rowcount", 0):
            return True
        result = await self.session.execute(
            update(RiskStateRow)
            .where(RiskStateRow.client_id == client_id, RiskStateRow.armed.is_(True))
            .values(armed=False, risk_score=score, changed_at=now)
        )
        return bool(getattr(result, "rowcount", 0))

    async def rearm(self, client_ids: Iterable[int], *, now: datetime) -> int:
        total = 0
        for part in chunks(sorted(set(client_ids))):
            result = await self.session.execute(
                update(RiskStateRow)
                .where(RiskStateRow.client_id.in_(part), RiskStateRow.armed.is_(False))
                .values(armed=True, changed_at=now)
            )
            total += int(getattr(result, "rowcount", 0))
        return total

    async def add(
        self,
        client_id: int,
        *,
        owner: str | None,
        score: int,
        factors: list[dict[str, Any]],
        status: str,
        now: datetime,
    ) -> int:
        row = RiskAlertRow(
            client_id=client_id,
            owner_id=await user_id(self.session, owner) if owner else None,
            risk_score=score,
            factors=factors,
            status=status,
            raised_at=now,
        )
        self.session.add(row)
        await self.session.flush()
        return row.id

    async def take_quota(self, slack_user_id: str, local_date: date, *, cap: int) -> bool:
        uid = await user_id(self.session, slack_user_id)
        if uid is None or cap <= 0:
            return False
        await self.session.execute(
            insert_for(self.session, AlertQuotaRow)
            .values(user_id=uid, local_date=local_date, sent=0)
            .on_conflict_do_nothing(index_elements=["user_id", "local_date"])
        )
        result = await self.session.execute(
            update(AlertQuotaRow)
            .where(
                AlertQuotaRow.user_id == uid,
                AlertQuotaRow.local_date == local_date,
                AlertQuotaRow.sent < cap,
            )
            .values(sent=AlertQuotaRow.sent + 1)
        )
        return bool(getattr(result, "rowcount", 0))

    def _query(self) -> Any:
        owner = aliased(UserRow)
        return (
            select(RiskAlertRow, ClientRow, owner.slack_user_id)
            .join(ClientRow, ClientRow.id == RiskAlertRow.client_id)
            .outerjoin(owner, owner.id == RiskAlertRow.owner_id)
        )

    async def get(self, alert_id: int) -> RiskAlert | None:
        query = self._query()
        found = (await self.session.execute(query.where(RiskAlertRow.id == alert_id))).first()
        return _alert(*found) if found else None

    async def for_owners(
        self, owners: Iterable[str], *, since: datetime
    ) -> dict[str, list[RiskAlert]]:
        found: dict[str, list[RiskAlert]] = {}
        for part in chunks(sorted(set(owners))):
            query = self._query()
            owner_id = select(UserRow.id).where(UserRow.slack_user_id.in_(part))
            rows = await self.session.execute(
                query.where(RiskAlertRow.owner_id.in_(owner_id), RiskAlertRow.raised_at > since)
                .order_by(RiskAlertRow.raised_at, RiskAlertRow.id)
            )  # fmt: skip
            for row in rows:
                alert = _alert(*row)
                assert alert.owner_slack_user_id is not None
                found.setdefault(alert.owner_slack_user_id, []).append(alert)
        return found

    async def snooze(self, alert_id: int, *, until: datetime, now: datetime) -> bool:
        result = await self.session.execute(
            update(RiskAlertRow)
            .where(
                RiskAlertRow.id == alert_id,
                RiskAlertRow.snoozed_until.is_(None),
                RiskAlertRow.handled_at.is_(None),
            )
            .values(snoozed_until=until)
        )
        return bool(getattr(result, "rowcount", 0))

    async def handle(self, alert_id: int, *, now: datetime) -> bool:
        result = await self.session.execute(
            update(RiskAlertRow)
            .where(RiskAlertRow.id == alert_id, RiskAlertRow.handled_at.is_(None))
            .values(handled_at=now)
        )
        return bool(getattr(result, "rowcount", 0))

    async def snoozes_due(self, *, now: datetime) -> Sequence[RiskAlert]:
        query = self._query()
        rows = await self.session.execute(
            query.where(
                RiskAlertRow.snoozed_until <= now, RiskAlertRow.handled_at.is_(None)
            ).order_by(RiskAlertRow.snoozed_until, RiskAlertRow.id)
        )
        return [_alert(*r) for r in rows]

    async def wake(self, alert_id: int, *, now: datetime) -> bool:
        # a woken alert is done with: handled, so it can be neither snoozed nor woken again
        result = await self.session.execute(
            update(RiskAlertRow)
            .where(
                RiskAlertRow.id == alert_id,
                RiskAlertRow.snoozed_until <= now,
                RiskAlertRow.handled_at.is_(None),
            )
            .values(handled_at=now)
        )
        return bool(getattr(result, "rowcount", 0))

    async def marked(self, name: str) -> str | None:
        found = await self.session.execute(select(JobMarkRow.value).where(JobMarkRow.name == name))
        value: str | None = found.scalar_one_or_none()
        return value

    async def mark(self, name: str, *, value: str, now: datetime) -> bool:
        inserted = await self.session.execute(
            insert_for(self.session, JobMarkRow)
            .values(name=name, value=value, updated_at=now)
            .on_conflict_do_nothing(index_elements=["name"])
        )
        if getattr(inserted, "rowcount", 0):
            return True
        result = await self.session.execute(
            update(JobMarkRow)
            .where(JobMarkRow.name == name, JobMarkRow.value != value)
            .values(value=value, updated_at=now)
        )
        return bool(getattr(result, "rowcount", 0))


def _alert(row: RiskAlertRow, client: ClientRow, owner: str | None) -> RiskAlert:
    return RiskAlert(
        id=row.id,
        client=client_line(client, owner),
        owner_slack_user_id=owner,
        risk_score=row.risk_score,
        factors=list(row.factors),
        raised_at=row.raised_at,
        status=row.status,
        snoozed_until=row.snoozed_until,
        handled_at=row.handled_at,
    )
