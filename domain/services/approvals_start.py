"""A quote arrives or its terms change: void the old round, build the chain, ask level 1.

The chain is decided once, when the round starts: the policy's levels whose rule holds
for the quote's facts, each with its approvers fixed then. A quote that needs no level is
approved on arrival (``quote.approved`` goes to the webhooks).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from domain.approvals.model import ACTIVE, VOID, Chain
from domain.approvals.policy import ChainLevel
from domain.model import Decision, Quote, QuoteStatus, Surface
from domain.services.approvals_context import Step, chain_details
from domain.services.approvals_facts import approvers_of, gather
from domain.services.approvals_messages import ask_level, refresh

logger = logging.getLogger(__name__)

MONEY_TERMS = ("total", "discount_pct", "currency")
SYSTEM = "crmbot"


def terms(quote: Quote) -> tuple[object, ...]:
    return tuple(getattr(quote, name) for name in MONEY_TERMS)


async def on_quote_changed(
    step: Step, quote: Quote, *, previous: Quote | None, restarted: bool, surface: Surface
) -> Chain | None:
    """Start (or restart) the quote's approval; the chain started, if any."""
    assert quote.id is not None
    old = await step.store.latest_chain(quote.id)
    if old is not None and not restarted and old.state == ACTIVE:
        return None  # a change that is not of terms (description, dates): the round goes on
    if old is not None and restarted and old.state != VOID:
        await void(step, quote, old, surface=surface)  # even a decided round: it was on old terms
    if quote.status is not QuoteStatus.PENDING:
        return None
    return await start(step, quote, surface=surface)


async def void(step: Step, quote: Quote, chain: Chain, *, surface: Surface) -> None:
    chain.state, chain.current = VOID, 0
    await step.store.save_chain(chain)
    await refresh(step, quote, chain, tag="void")
    details = {**chain_details(chain), "reason": "terms changed", "version": quote.version}
    await step.audit(SYSTEM, surface, "quote.approval_voided", quote.external_id, details)


async def start(
    step: Step, quote: Quote, *, surface: Surface, decided: frozenset[str] = frozenset()
) -> Chain | None:
    """Start a round; levels named in ``decided`` (approved already) are passed over."""
    assert quote.id is not None
    facts, shown = await gather(step, quote)
    needed = step.deps.rules.needed(facts)
    base = {"client_external_id": quote.client_external_id, "version": quote.version}
    if not needed:
        await approve_on_arrival(step, quote, surface=surface, details=base)
        return None
    users = await step.uow.users.list()
    levels = tuple(
        ChainLevel(
            f.level.name,
            f.level.quorum,
            approvers_of(f.level.approver, quote.requested_by_slack_user_id, users),
            f.reasons,
        )
        for f in needed
    )
    first = next((n for n, lv in enumerate(levels, 1) if lv.name not in decided), None)
    if first is None:
        return None  # every level decided already: nothing to ask
    chain = Chain(quote.id, quote.version, levels, shown, step.now, current=first)
    chain = await step.store.add_chain(chain)
    asked = await ask_level(step, quote, chain, ())
    details = {
        **base,
        **chain_details(chain),
        "levels": [level.name for level in levels],
        "approvers": list(levels[first - 1].approvers),
        "reasons": list(levels[first - 1].reasons),
        "asked": asked,
    }
    await step.audit(SYSTEM, surface, "quote.approval_requested", quote.external_id, details)
    return chain


async def approve_on_arrival(
    step: Step, quote: Quote, *, surface: Surface, details: dict[str, object]
) -> None:
    assert quote.id is not None
    moved = await step.uow.quotes.set_status(
        quote.id, QuoteStatus.APPROVED, level=0, expected_version=quote.version
    )
    if not moved:
        logger.info("quote %s changed meanwhile; not approved on arrival", quote.external_id)
        return
    after = {**details, "reason": "no approval level applies", "status": "approved"}
    await step.audit(SYSTEM, surface, "quote.approved", quote.external_id, after)
    data = {**quote_data(quote), "status": "approved", "decided_by": None}
    await step.deps.webhooks.emit(
        step.uow,
        "quote.approved",
        data,
        entity=quote.external_id,
        version=quote.version + 1,
        now=step.now,
    )


def quote_data(quote: Quote) -> dict[str, object]:
    return {
        "external_id": quote.external_id,
        "client_external_id": quote.client_external_id,
        "requested_by_slack_user_id": quote.requested_by_slack_user_id,
        "total": quote.total,
        "discount_pct": quote.discount_pct,
        "currency": quote.currency,
        "valid_until": quote.valid_until,
    }


async def imported(
    step: Step, quotes: Sequence[Quote], *, before: Mapping[str, Quote | None]
) -> int:
    """Quotes of an import batch: new ones start their approval, re-priced ones restart."""
    started = 0
    for entity in quotes:
        quote = await step.uow.quotes.get(entity.external_id)
        if quote is None or quote.id is None:
            continue
        previous = before.get(entity.external_id)
        restarted = previous is not None and terms(previous) != terms(quote)
        if previous is not None and not restarted:
            continue
        if restarted:
            if not await step.uow.quotes.set_status(
                quote.id, QuoteStatus.PENDING, level=0, expected_version=quote.version
            ):
                continue
            quote = await step.uow.quotes.get(entity.external_id)
            assert quote is not None
        chain = await on_quote_changed(
            step, quote, previous=previous, restarted=restarted, surface=Surface.IMPORT
        )
        started += chain is not None
    return started


async def adopt(step: Step, quote: Quote) -> Chain | None:
    """A pending quote without a round gets one; levels it was approved at are kept."""
    assert quote.id is not None
    if quote.valid_until is not None and quote.valid_until < step.now:
        return None  # past its date: the cycle expires it instead
    decisions = await step.uow.quotes.decisions(quote.id)
    if any(d.decision is Decision.REJECTED for d in decisions):
        return None
    approved = frozenset(d.level_name for d in decisions if d.decision is Decision.APPROVED)
    return await start(step, quote, surface=Surface.SCHEDULER, decided=approved)
