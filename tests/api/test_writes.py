"""The PUT routes (and reading back what they wrote), on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from bot.bootstrap import Container
from domain.model import (
    ApprovalDecision,
    Decision,
    QuoteStatus,
    Surface,
)
from storage.models import AuditRow, ClientRow, OutboxRow
from tests.api.conftest import ACME, INVOICE, ORDER, QUOTE, ApiClient, add_users
from tests.conftest import FixedClock


async def count(container: Container, model: type, **where: Any) -> int:
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    async with container.uow() as uow:
        return int((await uow.session.execute(query)).scalar_one())


async def with_client(api: ApiClient, container: Container) -> None:
    await add_users(container)
    assert (await api.put("/clients/C-1", ACME)).status == 201


async def test_put_client_creates_then_reads_back(
    api: ApiClient, api_container: Container, clock: FixedClock
) -> None:
    await add_users(api_container)
    created = await api.put("/clients/C-1", ACME)
    assert created.status == 201, created.body
    assert created.body == {
        "external_id": "C-1",
        "name": "Acme Corp",
        "owner_slack_user_id": "U2",
        "email": "buyer@acme.example",
        "phone": None,
        "credit_limit": "50000.00",
        "payment_terms_days": 30,
        "tags": ["retail", "eu"],
        "created_at": clock.now.isoformat().replace("+00:00", "Z"),
        "acquisition_cost": None,
        "placeholder": False,
    }
    again = await api.get("/clients/C-1")
    assert (again.status, again.body) == (200, created.body)


async def test_identical_put_is_a_no_op(api: ApiClient, api_container: Container) -> None:
    await with_client(api, api_container)
    audits, outbox = await count(api_container, AuditRow), await count(api_container, OutboxRow)
    first = (await api.get("/clients/C-1")).body
    again = await api.put("/clients/C-1", {**ACME, "tags": "retail;eu"})  # same, as CSV writes it
    assert (again.status, again.body) == (200, first)
    assert await count(api_container, AuditRow) == audits == 1
    assert await count(api_container, OutboxRow) == outbox == 0


async def test_a_change_is_audited_as_an_api_update(
    api: ApiClient, api_container: Container
) -> None:
    await with_client(api, api_container)
    changed = await api.put("/clients/C-1", {**ACME, "phone": "+33 1 23 45 67 89"})
    assert (changed.status, changed.body["phone"]) == (200, "+33 1 23 45 67 89")
    async with api_container.uow() as uow:
        entries = await uow.audit.list(client_external_id="C-1")
    assert [(e.actor, e.surface, e.action) for e in entries] == [
        ("api", Surface.API, "client.created"),
        ("api", Surface.API, "client.updated"),
    ]


async def test_body_id_must_match_the_path(api: ApiClient, api_container: Container) -> None:
    await add_users(api_container)
    assert (await api.put("/clients/C-1", {**ACME, "external_id": "C-1"})).status == 201
    other = await api.put("/clients/C-1", {**ACME, "external_id": "C-2"})
    assert (other.status, other.error["field"]) == (422, "external_id")


async def test_order_for_an_unknown_client_creates_a_placeholder(
    api: ApiClient, api_container: Container
) -> None:
    reply = await api.put("/orders/O-9", {**ORDER, "client_external_id": "C-NEW"})
    assert reply.status == 201
    assert reply.body == {
        "external_id": "O-9",
        "client_external_id": "C-NEW",
        "ordered_at": "2026-10-01T00:00:00Z",
        "amount": "1200.50",
        "cost": None,
        "category": None,
        "items": None,
    }
    client = (await api.get("/clients/C-NEW")).body
    assert (client["name"], client["placeholder"]) == ("C-NEW", True)
    assert (await api.put("/orders/O-9", {**ORDER, "client_external_id": "C-NEW"})).status == 200


async def test_invoice_and_payment(api: ApiClient, api_container: Container) -> None:
    await with_client(api, api_container)
    assert (await api.put("/orders/O-1", ORDER)).status == 201
    invoice = await api.put("/invoices/I-1", INVOICE)
    assert (invoice.status, invoice.body["order_external_id"]) == (201, "O-1")
    assert invoice.body["due_at"] == "2026-10-31T00:00:00Z"
    paid = {"invoice_external_id": "I-1", "paid_at": "2026-10-20", "amount": "600"}
    payment = await api.put("/payments/P-1", paid)
    assert (payment.status, payment.body["amount"]) == (201, "600.00")
    assert (await api.put("/payments/P-1", paid)).status == 200
    changed = await api.put("/payments/P-1", {**paid, "amount": "700"})
    assert (changed.status, changed.body["amount"]) == (200, "700.00")


async def test_quote_put_and_get_with_decisions(
    api: ApiClient, api_container: Container, clock: FixedClock
) -> None:
    await with_client(api, api_container)
    created = await api.put("/quotes/Q-1", QUOTE)
    assert created.status == 201, created.body
    body = created.body
    assert (body["status"], body["version"], body["decisions"]) == ("pending_approval", 1, [])
    assert (body["total"], body["discount_pct"], body["currency"]) == ("12000.00", "5.00", "USD")
    async with api_container.uow() as uow:
        quote = await uow.quotes.get("Q-1")
        assert quote is not None and quote.id is not None
        await uow.quotes.add_decision(
            ApprovalDecision(quote.id, 1, "manager", "U1", Decision.APPROVED, clock.now, 1, "ok")
        )
        await uow.commit()
    read = await api.get("/quotes/Q-1")
    assert read.status == 200
    (decision,) = read.body["decisions"]
    assert decision["approver_slack_user_id"] == "U1"
    assert (decision["decision"], decision["comment"], decision["level_name"]) == (
        "approved",
        "ok",
        "manager",
    )


async def test_quote_change_of_terms_bumps_its_version(
    api: ApiClient, api_container: Container
) -> None:
    await with_client(api, api_container)
    assert (await api.put("/quotes/Q-1", QUOTE)).body["version"] == 1
    same = await api.put("/quotes/Q-1", QUOTE)
    assert (same.status, same.body["version"]) == (200, 1)
    described = await api.put("/quotes/Q-1", {**QUOTE, "description": "Summer restock"})
    assert described.body["version"] == 1  # not a change of terms
    discounted = await api.put("/quotes/Q-1", {**QUOTE, "discount_pct": "12.5"})
    assert (discounted.body["version"], discounted.body["status"]) == (2, "pending_approval")
    async with api_container.uow() as uow:
        quote = await uow.quotes.get("Q-1")
        assert quote is not None and quote.id is not None
        assert await uow.quotes.set_status(
            quote.id, QuoteStatus.APPROVED, level=1, expected_version=2
        )
        await uow.commit()
    repriced = await api.put("/quotes/Q-1", {**QUOTE, "discount_pct": "12.5", "total": "9000"})
    assert (repriced.body["version"], repriced.body["status"]) == (4, "pending_approval")


async def test_unicode_round_trips(api: ApiClient, api_container: Container) -> None:
    name = "Société Générale 🚀 <@channel> & 株式会社"
    reply = await api.put("/clients/Ü-1", {"name": name, "tags": ["café"]})
    assert (reply.status, reply.body["name"], reply.body["tags"]) == (201, name, ["café"])
    assert (await api.get("/clients/Ü-1")).body["name"] == name
    assert await count(api_container, ClientRow, external_id="Ü-1") == 1


async def test_every_kind_is_idempotent(api: ApiClient, api_container: Container) -> None:
    await add_users(api_container)
    puts = [
        ("/clients/C-1", ACME),
        ("/orders/O-1", ORDER),
        ("/invoices/I-1", INVOICE),
        ("/payments/P-1", {"invoice_external_id": "I-1", "paid_at": "2026-10-20", "amount": 5}),
        ("/quotes/Q-1", QUOTE),
    ]
    first = [await api.put(path, body) for path, body in puts]
    assert [r.status for r in first] == [201] * 5
    audits = await count(api_container, AuditRow)
    assert audits == 6  # five changes, and the quote's approval request (to U2's manager)
    queued = await count(api_container, OutboxRow)
    assert queued == 1  # that request's direct message
    again = [await api.put(path, body) for path, body in puts]
    assert [r.status for r in again] == [200] * 5
    assert [r.body for r in again] == [r.body for r in first]
    assert await count(api_container, AuditRow) == audits
    assert await count(api_container, OutboxRow) == queued
