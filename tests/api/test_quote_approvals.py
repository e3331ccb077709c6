"""Quotes over the REST API: the approval starts on PUT, decisions show on GET, and the
ERP hears quote.approved / quote.rejected / quote.expired through its webhook."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.bootstrap import Container
from domain.model import Decision, Surface
from schedulers.jobs import run_job
from storage.models import OutboxRow
from tests.api.conftest import ApiClient, add_users
from tests.conftest import FixedClock
from tests.slack.chat_fixtures import rows

QUOTE = {
    "client_external_id": "C-1",
    "requested_by_slack_user_id": "U2",
    "total": "12000",
    "discount_pct": "5",
    "valid_until": "2026-12-01T00:00:00Z",
}


async def events(container: Container) -> list[tuple[str, Any]]:
    found = [r for r in await rows(container, OutboxRow) if r.kind == "webhook"]
    return [(r.payload["event"], r.payload["body"]["data"]) for r in found]


async def setup(api: ApiClient, container: Container) -> None:
    await add_users(container)
    assert (await api.put("/clients/C-1", {"name": "Acme", "credit_limit": "100000"})).status == 201


async def chain_of(container: Container, key: str) -> int:
    async with container.uow() as uow:
        quote = await uow.quotes.get(key)
        assert quote is not None and quote.id is not None
        chain = await uow.approvals.active_chain(quote.id)
        assert chain is not None and chain.id is not None
        return chain.id


async def test_small_quote_is_approved_and_announced(
    api: ApiClient, api_container: Container
) -> None:
    await setup(api, api_container)
    created = await api.put("/quotes/Q-S", {**QUOTE, "total": "900"})
    assert (created.status, created.body["status"], created.body["version"]) == (201, "approved", 2)
    [(event, data)] = await events(api_container)
    assert (event, data["external_id"], data["status"]) == ("quote.approved", "Q-S", "approved")
    assert (await api.put("/quotes/Q-S", {**QUOTE, "total": "900"})).body["status"] == "approved"
    assert len(await events(api_container)) == 1  # an identical PUT changes nothing


async def test_decisions_show_on_get_and_go_to_the_erp(
    api: ApiClient, api_container: Container
) -> None:
    await setup(api, api_container)
    assert (await api.put("/quotes/Q-1", QUOTE)).body["status"] == "pending_approval"
    chain = await chain_of(api_container, "Q-1")
    approvals = api_container.approvals
    refused = await approvals.decide("U2", chain, Decision.APPROVED, surface=Surface.BUTTON)
    assert "can't decide" in refused.summary
    await approvals.decide(
        "U1", chain, Decision.REJECTED, surface=Surface.MODAL, comment="Too deep a discount"
    )
    quote = (await api.get("/quotes/Q-1")).body
    assert (quote["status"], quote["version"]) == ("rejected", 2)
    [decision] = quote["decisions"]
    assert decision["approver_slack_user_id"] == "U1"
    assert (decision["decision"], decision["comment"], decision["quote_version"]) == (
        "rejected",
        "Too deep a discount",
        1,
    )
    [(event, data)] = await events(api_container)
    assert (event, data["decided_by"], data["comment"]) == (
        "quote.rejected",
        "U1",
        "Too deep a discount",
    )


async def test_expired_quotes_are_announced(
    api: ApiClient, api_container: Container, clock: FixedClock
) -> None:
    await setup(api, api_container)
    await api.put("/quotes/Q-1", QUOTE)
    later = clock.now + timedelta(days=10)
    outcome = await run_job(api_container, "quote-expiry", now=later)
    assert outcome.counts["expired"] == 1
    assert (await api.get("/quotes/Q-1")).body["status"] == "expired"
    [(event, data)] = await events(api_container)
    assert (event, data["status"]) == ("quote.expired", "expired")
