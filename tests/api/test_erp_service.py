"""``domain.services.erp`` on the in-memory fakes: one entity at a time, audited only
when it changed, references checked, quotes re-opened when their terms change."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from domain.model import Client, Invoice, Order, Payment, Quote, QuoteStatus, Role, User
from domain.services import erp
from domain.webhooks import NO_WEBHOOKS
from tests.fakes_api import FakeApiUnitOfWorkFactory

NOW = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)
QUOTE = Quote("Q-1", "C-1", "U2", Decimal("12000.00"), Decimal("5.00"))


async def put(uows: FakeApiUnitOfWorkFactory, kind: str, entity: object) -> erp.Upserted:
    async with uows() as uow:
        done = await erp.put(uow, kind, entity, now=NOW, webhooks=NO_WEBHOOKS)  # type: ignore[arg-type]
        await uow.commit()
    return done


@pytest.fixture
async def uows() -> FakeApiUnitOfWorkFactory:
    found = FakeApiUnitOfWorkFactory()
    async with found() as uow:
        await uow.users.upsert_many([User("U1", "Ann", role=Role.MANAGER), User("U2", "Bob")])
        await uow.commit()
    return found


async def test_created_updated_unchanged(uows: FakeApiUnitOfWorkFactory) -> None:
    client = Client("C-1", "Acme", owner_slack_user_id="U2")
    assert await put(uows, "clients", client) == erp.Upserted("clients", "C-1", True, True)
    assert await put(uows, "clients", replace(client, created_at=None)) == erp.Upserted(
        "clients", "C-1", False, False
    )
    assert await put(uows, "clients", replace(client, name="Acme Corp")) == erp.Upserted(
        "clients", "C-1", False, True
    )
    actions = [(e.actor, e.action, e.entity_id) for e in uows.tables.audit]
    assert actions == [("api", "client.created", "C-1"), ("api", "client.updated", "C-1")]
    assert uows.tables.clients["C-1"].created_at == NOW


async def test_references(uows: FakeApiUnitOfWorkFactory) -> None:
    order = Order("O-1", "C-NEW", NOW, Decimal("10.00"))
    assert (await put(uows, "orders", order)).created
    assert uows.tables.clients["C-NEW"].placeholder
    with pytest.raises(erp.UnknownReference) as raised:
        await put(uows, "invoices", Invoice("I-1", "C-404", NOW, NOW, Decimal(1)))
    assert raised.value.column == "client_external_id"
    with pytest.raises(erp.UnknownReference, match="no invoice I-404"):
        await put(uows, "payments", Payment("P-1", "I-404", NOW, Decimal(1)))
    assert "I-1" not in uows.tables.invoices


async def test_quote_terms_restart_it(
    uows: FakeApiUnitOfWorkFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    await put(uows, "clients", Client("C-1", "Acme"))
    calls: list[tuple[str | None, bool, int]] = []

    async def hook(
        uow: object, quote: Quote, *, previous: Quote | None, restarted: bool, **_: object
    ) -> None:
        calls.append((previous.external_id if previous else None, restarted, quote.version))

    monkeypatch.setattr(erp, "on_quote_changed", hook)
    await put(uows, "quotes", QUOTE)
    await put(uows, "quotes", QUOTE)  # identical: no hook
    await put(uows, "quotes", replace(QUOTE, description="more words"))
    await put(uows, "quotes", replace(QUOTE, description="more words", total=Decimal("9000.00")))
    assert calls == [(None, False, 1), ("Q-1", False, 1), ("Q-1", True, 2)]
    stored = uows.tables.quotes["Q-1"]
    assert (stored.status, stored.version, stored.total) == (
        QuoteStatus.PENDING,
        2,
        Decimal("9000.00"),
    )
    assert [e.action for e in uows.tables.audit if e.entity_type == "quote"] == [
        "quote.created",
        "quote.updated",
        "quote.updated",
    ]
