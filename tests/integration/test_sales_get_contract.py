"""``orders.get`` / ``invoices.get`` / ``payments.get`` (read back what an ERP update
replaces, for its audit entry): the same answers from the fakes, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from domain.model import Invoice, Order, Payment
from domain.ports import UnitOfWorkFactory
from tests.integration.test_repository_contract import committed, pg_database, seed, uow_factory

__all__ = ["pg_database", "uow_factory"]  # the fixtures, reused

AT = datetime(2026, 3, 1, tzinfo=UTC)


async def test_get_reads_back_an_order_an_invoice_and_a_payment(
    uow_factory: UnitOfWorkFactory,
) -> None:
    await seed(uow_factory)
    order = Order("O1", "C1", AT, Decimal("120.50"), Decimal("80"), "tools", 3)
    invoice = Invoice("I1", "C1", AT, AT + timedelta(days=30), Decimal("120.50"), "O1")
    loose = Invoice("I2", "C2", AT, AT + timedelta(days=14), Decimal("9"))
    payment = Payment("P1", "I1", AT + timedelta(days=3), Decimal("100"))
    async with committed(uow_factory) as uow:
        await uow.orders.upsert_many([order])
        await uow.invoices.upsert_many([invoice, loose])
        await uow.payments.upsert_many([payment])
    async with uow_factory() as uow:
        got = await uow.orders.get("O1")
        assert got is not None and got.id is not None
        assert (got.client_external_id, got.amount, got.cost, got.category, got.items) == (
            "C1", Decimal("120.50"), Decimal("80"), "tools", 3,
        )  # fmt: skip
        assert got.ordered_at == AT
        bill = await uow.invoices.get("I1")
        assert bill is not None and (bill.client_external_id, bill.order_external_id) == (
            "C1", "O1",
        )  # fmt: skip
        assert (bill.amount, bill.due_at) == (Decimal("120.50"), AT + timedelta(days=30))
        other = await uow.invoices.get("I2")
        assert other is not None and other.order_external_id is None
        paid = await uow.payments.get("P1")
        assert paid is not None
        assert (paid.invoice_external_id, paid.amount) == ("I1", Decimal("100"))
        assert paid.paid_at == AT + timedelta(days=3)
        for missing in (uow.orders.get("O9"), uow.invoices.get("I9"), uow.payments.get("P9")):
            assert await missing is None
