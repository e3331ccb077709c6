"""``crmbot demo-data`` stores a complete, consistent demo set on each backend."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.bootstrap import Container
from bot.demo_writer import write_demo
from domain.errors import CrmError
from storage.models import (
    ActivityRow,
    ApprovalDecisionRow,
    ClientRow,
    InvoiceRow,
    OrderRow,
    PaymentRow,
    QuoteRow,
    TaskRow,
    UserRow,
)


async def _count(container: Container, model: type) -> int:
    async with container.engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(model))).scalar_one())


async def test_demo_data_fills_every_table(container: Container) -> None:
    assert await write_demo(container, clients=60, seed=3, quiet=True) == 0
    assert await _count(container, ClientRow) == 60
    for model in (UserRow, OrderRow, InvoiceRow, PaymentRow, ActivityRow, TaskRow, QuoteRow):
        assert await _count(container, model) > 0, model.__tablename__
    async with container.engine.connect() as conn:
        statuses = set((await conn.execute(select(QuoteRow.status))).scalars())
        roles = set((await conn.execute(select(UserRow.role))).scalars())
    assert statuses == {"pending_approval", "approved", "rejected", "expired"}
    assert {"rep", "manager", "finance", "admin"} <= roles
    assert await _count(container, ApprovalDecisionRow) > 0
    async with container.uow() as uow:
        audit = await uow.audit.list()
    actions = [e.action for e in audit]
    assert [a for a in actions if a != "quote.approval_requested"] == ["demo-data"]
    assert actions.count("quote.approval_requested") >= 1  # pending quotes are being asked


async def test_demo_data_refuses_a_database_with_clients(container: Container) -> None:
    await write_demo(container, clients=10, seed=1, quiet=True)
    with pytest.raises(CrmError, match="already holds 10 clients"):
        await write_demo(container, clients=10, seed=1, quiet=True)
    assert await _count(container, ClientRow) == 10
