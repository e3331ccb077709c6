"""Orders, invoices, payments: bulk upserts keyed by the ERP's external ids."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.model import Invoice, Order, Payment
from domain.ports import UpsertResult
from storage.models import ClientRow, InvoiceRow, OrderRow, PaymentRow
from storage.repositories._bulk import id_map, upsert


class SqlOrderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def existing_ids(self, external_ids: Iterable[str]) -> set[str]:
        return set(await id_map(self.session, OrderRow, "external_id", external_ids))

    async def upsert_many(self, orders: Sequence[Order]) -> UpsertResult:
        clients = await id_map(
            self.session, ClientRow, "external_id", {o.client_external_id for o in orders}
        )
        records = [
            {
                "external_id": o.external_id,
                "client_id": clients[o.client_external_id],
                "ordered_at": o.ordered_at,
                "amount": o.amount,
                "cost": o.cost,
                "category": o.category,
                "items": o.items,
            }
            for o in orders
        ]
        return await upsert(self.session, OrderRow, "external_id", records)

    async def get(self, external_id: str) -> Order | None:
        row = await self.session.scalar(select(OrderRow).where(OrderRow.external_id == external_id))
        if row is None:
            return None
        client = await self.session.get(ClientRow, row.client_id)
        assert client is not None
        return Order(external_id, client.external_id, row.ordered_at, row.amount, row.cost,
                     row.category, row.items, id=row.id)  # fmt: skip

    async def for_client(self, client_external_id: str) -> Sequence[Order]:
        rows = await self.session.execute(
            select(OrderRow)
            .join(ClientRow, ClientRow.id == OrderRow.client_id)
            .where(ClientRow.external_id == client_external_id)
            .order_by(OrderRow.ordered_at)
        )
        return [
            Order(
                external_id=r.external_id,
                client_external_id=client_external_id,
                ordered_at=r.ordered_at,
                amount=r.amount,
                cost=r.cost,
                category=r.category,
                items=r.items,
                id=r.id,
            )
            for r in rows.scalars()
        ]


class SqlInvoiceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def existing_ids(self, external_ids: Iterable[str]) -> set[str]:
        return set(await id_map(self.session, InvoiceRow, "external_id", external_ids))

    async def upsert_many(self, invoices: Sequence[Invoice]) -> UpsertResult:
        clients = await id_map(
            self.session, ClientRow, "external_id", {i.client_external_id for i in invoices}
        )
        orders = await id_map(
            self.session,
            OrderRow,
            "external_id",
            {i.order_external_id for i in invoices if i.order_external_id},
        )
        records = [
            {
                "external_id": i.external_id,
                "client_id": clients[i.client_external_id],
                "order_id": orders.get(i.order_external_id or ""),
                "issued_at": i.issued_at,
                "due_at": i.due_at,
                "amount": i.amount,
            }
            for i in invoices
        ]
        return await upsert(self.session, InvoiceRow, "external_id", records)

    async def get(self, external_id: str) -> Invoice | None:
        found = (
            await self.session.execute(
                select(InvoiceRow, ClientRow.external_id, OrderRow.external_id)
                .join(ClientRow, ClientRow.id == InvoiceRow.client_id)
                .outerjoin(OrderRow, OrderRow.id == InvoiceRow.order_id)
                .where(InvoiceRow.external_id == external_id)
            )
        ).first()
        if found is None:
            return None
        row, client, order = found
        return Invoice(external_id, client, row.issued_at, row.due_at, row.amount, order, row.id)


class SqlPaymentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def upsert_many(self, payments: Sequence[Payment]) -> UpsertResult:
        invoices = await id_map(
            self.session, InvoiceRow, "external_id", {p.invoice_external_id for p in payments}
        )
        records = [
            {
                "external_id": p.external_id,
                "invoice_id": invoices[p.invoice_external_id],
                "paid_at": p.paid_at,
                "amount": p.amount,
            }
            for p in payments
        ]
        return await upsert(self.session, PaymentRow, "external_id", records)

    async def get(self, external_id: str) -> Payment | None:
        found = (
            await self.session.execute(
                select(PaymentRow, InvoiceRow.external_id)
                .join(InvoiceRow, InvoiceRow.id == PaymentRow.invoice_id)
                .where(PaymentRow.external_id == external_id)
            )
        ).first()
        if found is None:
            return None
        row, invoice = found
        return Payment(external_id, invoice, row.paid_at, row.amount, row.id)
