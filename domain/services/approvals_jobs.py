"""The ``quote-expiry`` cycle: expire quotes past ``valid_until``, remind and escalate
levels waiting too long, and send the updates kept for copies that were in flight.

Escalation lives in this cycle (no job of its own): a level waiting ``escalate_after``
(``[approval] escalate_after_hours``, default 24) reminds its approvers who have not
decided, once; after the same time again the requester's manager is told, once. Moving
to the next level starts the clock again. Every step is keyed in the outbox, so a cycle
run twice (or by two processes) sends nothing twice.
"""

from __future__ import annotations

from datetime import datetime

from domain.approvals import cards
from domain.approvals.model import EXPIRED, OPEN, Chain
from domain.cards import Card
from domain.model import OutboxMessage, Quote, QuoteStatus, Surface
from domain.services.approvals_context import Step, chain_details
from domain.services.approvals_messages import refresh
from domain.services.approvals_start import SYSTEM, quote_data


async def expire(step: Step, key: str) -> bool:
    """Expire one pending quote past its ``valid_until``; False if it changed meanwhile."""
    quote = await step.uow.quotes.get(key)
    if quote is None or quote.id is None or quote.status is not QuoteStatus.PENDING:
        return False
    if quote.valid_until is None or quote.valid_until >= step.now:
        return False
    if not await step.uow.quotes.set_status(
        quote.id, QuoteStatus.EXPIRED, level=0, expected_version=quote.version
    ):
        return False
    before = {"status": str(quote.status), "version": quote.version}
    quote.status, quote.version = QuoteStatus.EXPIRED, quote.version + 1
    chain = await step.store.active_chain(quote.id)
    details: dict[str, object] = {
        "client_external_id": quote.client_external_id,
        "valid_until": quote.valid_until.isoformat(),
        "version": quote.version,
        "before": before,
        "after": {"status": str(QuoteStatus.EXPIRED), "version": quote.version},
    }
    if chain is not None:
        details.update(chain_details(chain))
        chain.state, chain.current = EXPIRED, 0
        await step.store.save_chain(chain)
        await refresh(step, quote, chain, tag="expired")
    await step.audit(SYSTEM, Surface.SCHEDULER, "quote.expired", quote.external_id, details)
    await _tell(
        step,
        quote.requested_by_slack_user_id,
        f"approval-outcome:{key}:{quote.version}",
        cards.outcome_card(quote, status="expired", decision=None),
    )
    await step.deps.webhooks.emit(
        step.uow,
        "quote.expired",
        {**quote_data(quote), "status": "expired"},
        entity=quote.external_id,
        version=quote.version,
        now=step.now,
    )
    return True


def _due(chain: Chain, before: datetime) -> bool:
    if chain.reminded_at is None:
        return chain.level_started_at <= before
    return chain.escalated_at is None and chain.reminded_at <= before


async def nudge(step: Step, chain: Chain, quote: Quote, *, before: datetime) -> str | None:
    """Remind the level's approvers, or (after a reminder) tell the requester's manager."""
    assert chain.id is not None
    level = chain.level
    if level is None or quote.status is not QuoteStatus.PENDING or not _due(chain, before):
        return None
    hours = step.deps.rules.escalate_after.total_seconds() / 3600
    details = {**chain_details(chain), "client_external_id": quote.client_external_id}
    if chain.reminded_at is None:
        waiting = [
            r.approver
            for r in await step.store.requests(chain.id)
            if r.level == chain.current and r.state == OPEN
        ]
        card = cards.reminder_card(quote, chain, hours=hours)
        for approver in waiting:
            await _tell(
                step, approver, f"approval-remind:{chain.id}:{chain.current}:{approver}", card
            )
        chain.reminded_at = step.now
        action, details["told"] = "quote.approval_reminded", waiting
    else:
        requester = await step.uow.users.get(quote.requested_by_slack_user_id)
        boss = requester.manager_slack_user_id if requester else None
        if boss:
            card = cards.escalation_card(quote, chain, hours=hours * 2)
            await _tell(step, boss, f"approval-escalate:{chain.id}:{chain.current}", card)
        chain.escalated_at = step.now
        action, details["told"] = "quote.approval_escalated", [boss] if boss else []
    await step.store.save_chain(chain)
    await step.audit(SYSTEM, Surface.SCHEDULER, action, quote.external_id, details)
    return action


async def _tell(step: Step, to: str, key: str, card: Card) -> None:
    await step.uow.outbox.enqueue(
        OutboxMessage(key=key, channel=to, payload=step.deps.render(card)), now=step.now
    )
