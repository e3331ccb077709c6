"""``crmbot demo-data``: generate the seeded demo set and store it through the ports."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

from bot.bootstrap import Container
from domain.demo import generate_demo
from domain.demo_types import DemoData, DemoDecision
from domain.errors import CrmError
from domain.model import Activity, ApprovalDecision, AuditEntry, QuoteStatus, Surface, Task
from domain.ports import UnitOfWork


def demo_anchor(now: datetime) -> datetime:
    """Demo data is "as of" the start of today (UTC): the same seed on the same day
    gives the same data, and overdue and due-today tasks stay meaningful."""
    return now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


async def write_demo(container: Container, *, clients: int, seed: int, quiet: bool = False) -> int:
    data = generate_demo(clients=clients, seed=seed, now=demo_anchor(container.clock()))
    async with container.uow() as uow:
        existing = await uow.clients.count()
        if existing:
            raise CrmError(
                f"the database already holds {existing:,} clients; demo data goes into an "
                "empty one (point DATABASE_URL at a new file)"
            )
        await _store(uow, data)
        await container.approvals.adopt_pending(uow, now=container.clock())  # pending: asked
        await uow.audit.add(
            AuditEntry(
                actor="cli",
                surface=Surface.CLI,
                action="demo-data",
                entity_type="database",
                entity_id="-",
                details={"clients": clients, "seed": seed, "orders": len(data.orders)},
                at=container.clock(),
            )
        )
        await uow.commit()
    if not quiet:
        print(
            f"demo data: {len(data.users)} users, {len(data.clients):,} clients, "
            f"{len(data.orders):,} orders, {len(data.invoices):,} invoices, "
            f"{len(data.activities):,} activities, {len(data.tasks):,} tasks, "
            f"{len(data.quotes)} quotes (seed {seed})",
            file=sys.stdout,
        )
    return 0


async def _store(uow: UnitOfWork, data: DemoData) -> None:
    await uow.users.upsert_many(data.users)
    await uow.clients.upsert_many(data.clients)
    await uow.orders.upsert_many(data.orders)
    await uow.invoices.upsert_many(data.invoices)
    await uow.payments.upsert_many(data.payments)
    ids = await uow.clients.ids_for(c.external_id for c in data.clients)
    await uow.activities.add_many(
        [
            Activity(
                client_id=ids[a.client_external_id],
                type=a.type,
                notes=a.notes,
                occurred_at=a.occurred_at,
                author_slack_user_id=a.author_slack_user_id,
                source=a.source,
                permalink=a.permalink,
                created_at=a.created_at,
            )
            for a in data.activities
        ]
    )
    await uow.tasks.add_many(
        [
            Task(
                title=t.title,
                assignee_slack_user_id=t.assignee_slack_user_id,
                due_at=t.due_at,
                client_id=ids.get(t.client_external_id or ""),
                created_by_slack_user_id=t.created_by_slack_user_id,
                status=t.status,
                origin=t.origin,
                completed_at=t.completed_at,
                created_at=t.created_at,
            )
            for t in data.tasks
        ]
    )
    await _store_quotes(uow, data)


async def _store_quotes(uow: UnitOfWork, data: DemoData) -> None:
    """Quotes at every approval state, with the decisions that led there."""
    await uow.quotes.upsert_many(data.quotes)
    by_quote: dict[str, list[DemoDecision]] = {}
    for decision in data.decisions:
        by_quote.setdefault(decision.quote_external_id, []).append(decision)
    for quote in data.quotes:
        stored = await uow.quotes.get(quote.external_id)
        assert stored is not None and stored.id is not None
        decided = by_quote.get(quote.external_id, [])
        for d in decided:
            await uow.quotes.add_decision(
                ApprovalDecision(
                    quote_id=stored.id,
                    level=d.level,
                    level_name=d.level_name,
                    approver_slack_user_id=d.approver_slack_user_id,
                    decision=d.decision,
                    decided_at=d.decided_at,
                    quote_version=stored.version,
                    comment=d.comment,
                )
            )
        level = max((d.level for d in decided), default=0)
        if quote.status != QuoteStatus.PENDING or level:
            await uow.quotes.set_status(
                stored.id, quote.status, level=level, expected_version=stored.version
            )
