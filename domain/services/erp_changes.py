"""What an ERP ``PUT`` (or import row) changed: the stored entity before, field by field.

The audit entry of an update names each changed field with its value before and after;
fields the bot keeps itself (ids, versions, status, when first seen) are not compared.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from typing import Any

from domain.imports import Entity
from domain.model import Client, Invoice, Order, Payment, Quote
from domain.ports import UnitOfWork

KEPT_BY_US = frozenset({"id", "created_at", "version", "status", "current_level", "placeholder"})


async def stored(uow: UnitOfWork, entity: Entity, key: str) -> Entity | None:
    """The entity as stored now, before the upsert (None if new, or a kind not read)."""
    if isinstance(entity, Client):
        return await uow.clients.get(key)
    if isinstance(entity, Order):
        return await uow.orders.get(key)
    if isinstance(entity, Invoice):
        return await uow.invoices.get(key)
    if isinstance(entity, Payment):
        return await uow.payments.get(key)
    if isinstance(entity, Quote):
        return await uow.quotes.get(key)
    return None


def changes(before: Entity | None, after: Entity) -> dict[str, dict[str, str | None]]:
    """``{field: {"before": ..., "after": ...}}`` for each field whose value differs."""
    if before is None or not is_dataclass(before):
        return {}
    found: dict[str, dict[str, str | None]] = {}
    for f in fields(after):
        if f.name in KEPT_BY_US:
            continue
        old, new = getattr(before, f.name, None), getattr(after, f.name)
        if old != new:
            found[f.name] = {"before": _text(old), "after": _text(new)}
    return found


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
