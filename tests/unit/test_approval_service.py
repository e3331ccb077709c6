"""The approval service on the in-memory fakes: the chain's rules, in milliseconds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from domain.approvals.policy import rules
from domain.cards import Card
from domain.model import Client, Decision, Quote, QuoteStatus, Role, Surface, User
from domain.services.approvals import ApprovalService
from domain.services.approvals_context import ApprovalDeps
from tests.fakes import FakeUnitOfWorkFactory

NOW = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)


def render(card: Card) -> dict[str, Any]:
    return {"text": card.summary, "blocks": [repr(b) for b in card.blocks]}


async def service_with(total: str, discount: str = "0") -> tuple[ApprovalService, Any, int]:
    uows = FakeUnitOfWorkFactory()
    service = ApprovalService(ApprovalDeps(uows, lambda: NOW, rules(), render))
    async with uows() as uow:
        await uow.users.upsert_many(
            [
                User("M", "Boss", role=Role.MANAGER),
                User("R", "Rep", manager_slack_user_id="M"),
                User("F", "Fin", role=Role.FINANCE),
            ]
        )
        await uow.clients.upsert_many([Client("C1", "Acme", credit_limit=Decimal(10**6))])
        await uow.quotes.upsert_many(
            [
                Quote(
                    "Q",
                    "C1",
                    "R",
                    Decimal(total),
                    Decimal(discount),
                    valid_until=NOW + timedelta(days=3),
                )
            ]
        )
        quote = await uow.quotes.get("Q")
        assert quote is not None
        await service.on_quote_changed(uow, quote, previous=None, restarted=False, now=NOW)
        chain = await uow.approvals.active_chain(quote.id or 0)
        await uow.commit()
    return service, uows, chain.id if chain and chain.id else 0


async def status(uows: Any) -> QuoteStatus:
    async with uows() as uow:
        quote = await uow.quotes.get("Q")
        return quote.status


async def test_small_quote_needs_nobody() -> None:
    _, uows, chain = await service_with("100", "10")
    assert chain == 0 and await status(uows) is QuoteStatus.APPROVED


async def test_manager_then_finance() -> None:
    service, uows, chain = await service_with("50000")
    async with uows() as uow:
        assert (await service.waiting_on(uow, "M", now=NOW, limit=5)).total == 1
        assert (await service.waiting_on(uow, "F", now=NOW, limit=5)).total == 0
    told = await service.decide("F", chain, Decision.APPROVED, surface=Surface.BUTTON)
    assert "Only <@M>" in told.blocks[0].text  # type: ignore[union-attr]
    assert told.summary.startswith("Only someone can decide quote Q")  # plain: no mention
    await service.decide("M", chain, Decision.APPROVED, surface=Surface.BUTTON)
    async with uows() as uow:
        assert (await service.waiting_on(uow, "F", now=NOW, limit=5)).total == 1
    again = await service.decide("M", chain, Decision.APPROVED, surface=Surface.BUTTON)
    assert "already decided" in again.summary
    await service.decide("F", chain, Decision.REJECTED, surface=Surface.MODAL, comment="No")
    assert await status(uows) is QuoteStatus.REJECTED
    async with uows() as uow:
        actions = [e.action for e in await uow.audit.list()]
        keys = list(uow.outbox._t.outbox)  # type: ignore[attr-defined]
    assert actions.count("quote.decision") == 2 and actions.count("quote.decision_refused") == 2
    assert "approval-outcome:Q:3" in keys


async def test_the_cycle_expires_and_reminds() -> None:
    service, uows, _ = await service_with("20000")
    counts = await service.run_cycle(now=NOW + timedelta(hours=25))
    assert counts == {"adopted": 0, "expired": 0, "reminded": 1, "escalated": 0, "refreshed": 0}
    counts = await service.run_cycle(now=NOW + timedelta(days=4))
    assert counts["expired"] == 1 and await status(uows) is QuoteStatus.EXPIRED
