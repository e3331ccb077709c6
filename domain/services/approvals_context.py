"""What every step of an approval works with: the unit of work, the rules, the clock's now."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from domain.approvals.model import Chain
from domain.approvals.policy import ApprovalRules
from domain.approvals.ports import ApprovalStore, ApprovalsUnitOfWork, RenderCard
from domain.model import AuditEntry, Surface
from domain.ports import UnitOfWork, UnitOfWorkFactory
from domain.ports_api import Webhooks
from domain.webhooks import NO_WEBHOOKS


@dataclass
class ApprovalDeps:
    uow: UnitOfWorkFactory
    clock: Callable[[], datetime]
    rules: ApprovalRules
    render: RenderCard
    webhooks: Webhooks = NO_WEBHOOKS


@dataclass
class Step:
    """One unit of work's view of the approvals: its ports and the time it runs at."""

    uow: ApprovalsUnitOfWork
    deps: ApprovalDeps
    now: datetime

    @classmethod
    def of(cls, uow: UnitOfWork, deps: ApprovalDeps, now: datetime) -> Step:
        # the SQL unit of work carries ``approvals``; the base Protocol doesn't name it
        return cls(cast(ApprovalsUnitOfWork, uow), deps, now)

    @property
    def store(self) -> ApprovalStore:
        return self.uow.approvals

    async def audit(
        self,
        actor: str,
        surface: Surface,
        action: str,
        quote_key: str,
        details: Mapping[str, object],
    ) -> None:
        await self.uow.audit.add(
            AuditEntry(
                actor=actor[:64],
                surface=surface,
                action=action,
                entity_type="quote",
                entity_id=quote_key[:64],
                details=dict(details),
                at=self.now,
            )
        )


def chain_details(chain: Chain) -> dict[str, object]:
    level = chain.level
    return {
        "chain_id": chain.id,
        "level": chain.current,
        "level_name": level.name if level else None,
    }
