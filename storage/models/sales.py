"""Orders, invoices and payments: what the ERP tells us."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base
from storage.models.clients import MONEY


class OrderRow(Base):
    __tablename__ = "orders"
    __table_args__ = (Index("ix_orders_client_ordered", "client_id", "ordered_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    ordered_at: Mapped[datetime]
    amount: Mapped[Decimal] = mapped_column(MONEY)
    cost: Mapped[Decimal | None] = mapped_column(MONEY)
    category: Mapped[str | None] = mapped_column(String(100))
    items: Mapped[int | None]


class InvoiceRow(Base):
    __tablename__ = "invoices"
    __table_args__ = (Index("ix_invoices_client_issued", "client_id", "issued_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))
    issued_at: Mapped[datetime]
    due_at: Mapped[datetime]
    amount: Mapped[Decimal] = mapped_column(MONEY)


class PaymentRow(Base):
    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    invoice_id: Mapped[int] = mapped_column(
        ForeignKey("invoices.id", ondelete="CASCADE"), index=True
    )
    paid_at: Mapped[datetime]
    amount: Mapped[Decimal] = mapped_column(MONEY)
