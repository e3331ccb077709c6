"""Single-entity upserts from the ERP (``PUT /api/v1/...``), keyed by ``external_id``.

The same rules as a CSV import (CONTRACT §5) apply to each entity: the API parses a body
with ``domain.imports``' row rules, and this service checks its references and writes it
through the repositories. What it adds over an import is one entity at a time, answered
at once: a reference to an unknown entity is ``UnknownReference`` (the API's 409), and an
identical ``PUT`` is a no-op: no audit entry, no webhook, no re-approval. Orders for an
unknown client create a placeholder client, as imports do.

A quote whose money terms (total, discount, currency) change goes back to
``pending_approval`` with its version bumped (a compare-and-set: decisions taken on the
earlier version no longer apply); ``on_quote_changed`` is where the approval chain starts.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from domain.errors import CrmError
from domain.imports import Entity, KindSpec, key_of, references, spec_for
from domain.model import AuditEntry, Client, Invoice, Order, Payment, Quote, QuoteStatus, Surface
from domain.ports import UnitOfWork, UpsertResult
from domain.ports_api import Webhooks
from domain.ports_approvals import QuoteArrivals
from domain.services.erp_changes import changes, stored

logger = logging.getLogger(__name__)

ACTOR = "api"
NOUNS = {"clients": "client", "orders": "order", "invoices": "invoice", "payments": "payment"}
MONEY_TERMS = ("total", "discount_pct", "currency")


class UnknownReference(CrmError, LookupError):
    """The entity names another one that does not exist (and may not be made up)."""

    def __init__(self, column: str, value: str, noun: str) -> None:
        self.column, self.value, self.noun = column, value, noun
        super().__init__(f"{column} {value!r}: no {noun} {value}")


class ChangedMeanwhile(CrmError):
    """Someone else changed the entity while this request did: nothing was written."""

    def __init__(self, noun: str, key: str) -> None:
        super().__init__(f"{noun} {key!r} changed while this request ran; send it again")


@dataclass(frozen=True)
class Upserted:
    kind: str
    key: str
    created: bool
    changed: bool


class _Lookup(Protocol):
    async def existing_ids(self, ids: list[str], /) -> set[str]: ...


async def put(
    uow: UnitOfWork,
    kind: str,
    entity: Entity,
    *,
    now: datetime,
    webhooks: Webhooks,
    approvals: QuoteArrivals | None = None,
) -> Upserted:
    """Insert or update one entity; audit (and run the quote hook) only when it changed.

    The caller commits; nothing here does, so a failure leaves nothing half-written.
    """
    spec = spec_for(kind)
    await check_references(uow, spec, entity)
    if isinstance(entity, Client | Quote) and entity.created_at is None:
        entity.created_at = now  # first seen now, by the injected clock
    placeholders = 0
    if isinstance(entity, Order):
        placeholders = await uow.clients.add_placeholders([entity.client_external_id])
    key = key_of(spec, entity)
    previous = await stored(uow, entity, key)
    before = previous if isinstance(previous, Quote) else None
    result = await _upsert(uow, entity)
    changed = bool(result.created or result.updated or placeholders)
    upserted = Upserted(kind, key, created=bool(result.created), changed=changed)
    if not upserted.changed:
        return upserted
    if isinstance(entity, Quote):
        await _quote_changed(
            uow, key, before=before, now=now, webhooks=webhooks, approvals=approvals
        )
    entry = _audit(kind, entity, key, upserted.created, now)
    if not upserted.created:  # an update names what it changed, before and after
        entry.details["changes"] = changes(previous, entity)
    await uow.audit.add(entry)
    return upserted


async def check_references(uow: UnitOfWork, spec: KindSpec, entity: Entity) -> None:
    """Every id the entity names must exist, but an order's client (a placeholder)."""
    lookups: dict[str, _Lookup] = {
        "users": uow.users,
        "clients": uow.clients,
        "orders": uow.orders,
        "invoices": uow.invoices,
    }
    for ref, value in references(spec, entity):
        if ref.placeholder:
            continue
        if value not in await lookups[ref.target].existing_ids([value]):
            raise UnknownReference(ref.column, value, ref.noun)


async def _upsert(uow: UnitOfWork, entity: Entity) -> UpsertResult:
    if isinstance(entity, Client):
        return await uow.clients.upsert_many([entity])
    if isinstance(entity, Order):
        return await uow.orders.upsert_many([entity])
    if isinstance(entity, Invoice):
        return await uow.invoices.upsert_many([entity])
    if isinstance(entity, Payment):
        return await uow.payments.upsert_many([entity])
    if isinstance(entity, Quote):
        return await uow.quotes.upsert_many([entity])
    raise TypeError(f"the API does not upsert {type(entity).__name__}")


async def _quote_changed(
    uow: UnitOfWork,
    key: str,
    *,
    before: Quote | None,
    now: datetime,
    webhooks: Webhooks,
    approvals: QuoteArrivals | None = None,
) -> None:
    after = await uow.quotes.get(key)
    assert after is not None and after.id is not None, "just upserted"
    restarted = before is not None and _terms(before) != _terms(after)
    if restarted:
        moved = await uow.quotes.set_status(
            after.id, QuoteStatus.PENDING, level=0, expected_version=after.version
        )
        if not moved:
            raise ChangedMeanwhile("quote", key)
        after = await uow.quotes.get(key)
        assert after is not None
    await on_quote_changed(
        uow,
        after,
        previous=before,
        restarted=restarted,
        now=now,
        webhooks=webhooks,
        approvals=approvals,
    )


def _terms(quote: Quote) -> tuple[object, ...]:
    return tuple(getattr(quote, name) for name in MONEY_TERMS)


async def on_quote_changed(
    uow: UnitOfWork,
    quote: Quote,
    *,
    previous: Quote | None,
    restarted: bool,
    now: datetime,
    webhooks: Webhooks,
    approvals: QuoteArrivals | None = None,
) -> None:
    """A quote arrived (``previous`` None) or changed; ``restarted``: its money terms
    changed, so it is pending again at a new version and decisions on the old one are void.

    ``approvals`` (``domain.services.approvals``) builds the chain from the policy, asks
    the first level's approvers, tells them an earlier request is void when
    ``restarted``, and approves a quote that needs no level (``quote.approved`` to the
    webhooks), all in this unit of work. Without it (tests of the API alone) the quote
    simply waits, pending.
    """
    if approvals is not None:
        await approvals.on_quote_changed(
            uow, quote, previous=previous, restarted=restarted, now=now
        )
    logger.debug(
        "quote %s %s at version %d (%s)",
        quote.external_id,
        "arrived" if previous is None else "changed",
        quote.version,
        quote.status,
    )


def _audit(kind: str, entity: Entity, key: str, created: bool, now: datetime) -> AuditEntry:
    noun = NOUNS.get(kind, "quote")
    details: dict[str, object] = {"via": "api"}
    client = getattr(entity, "client_external_id", None) or (
        key if isinstance(entity, Client) else None
    )
    if client:
        details["client_external_id"] = client
    if isinstance(entity, Payment):
        details["invoice_external_id"] = entity.invoice_external_id
    return AuditEntry(
        actor=ACTOR,
        surface=Surface.API,
        action=f"{noun}.{'created' if created else 'updated'}",
        entity_type=noun,
        entity_id=key[:64],
        details=details,
        at=now,
    )
