"""The request messages: posted to each approver, then updated in place as things move.

A copy is updated with ``chat.update`` once Slack has named it (its ``ts``, from the
outbox row). A copy still queued is rewritten in the queue instead; a copy being sent at
that very moment keeps its update in ``pending_payload`` until the ``quote-expiry``
cycle finds it sent. Every update has its own outbox key, so nothing is sent twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from domain.approvals import cards
from domain.approvals.model import ACTIVE, DECIDED, EXPIRED, OPEN, VOID, Chain, RequestMessage
from domain.model import ApprovalDecision, OutboxMessage, Quote, QuoteStatus
from domain.services.approvals_context import Step
from domain.text import escape

UPDATE = "chat.update"
_TAG = "_update_tag"


def request_key(chain: Chain, level_no: int, approver: str) -> str:
    return f"approval:{chain.id}:{level_no}:{approver}"


async def chain_decisions(step: Step, quote: Quote, chain: Chain) -> list[ApprovalDecision]:
    assert quote.id is not None
    found = await step.uow.quotes.decisions(quote.id)
    return [d for d in found if d.quote_version >= chain.started_version]


async def ask_level(
    step: Step, quote: Quote, chain: Chain, decisions: Sequence[ApprovalDecision]
) -> int:
    """Direct-message every approver of the chain's current level; how many were asked."""
    level = chain.level
    if level is None or chain.id is None:
        return 0
    card = cards.request_card(quote, chain, chain.current, decisions=decisions, may_decide=True)
    payload = step.deps.render(card)
    for approver in level.approvers:
        key = request_key(chain, chain.current, approver)
        await step.uow.outbox.enqueue(
            OutboxMessage(key=key, channel=approver, payload=payload), now=step.now
        )
        await step.store.add_request(RequestMessage(chain.id, chain.current, approver, key))
    return len(level.approvers)


def status_of(quote: Quote, chain: Chain, request: RequestMessage) -> str:
    """Where things stand, for a copy whose reader has nothing (more) to decide."""
    if chain.state == VOID:
        return (
            ":no_entry_sign: *Void* — the quote's terms changed, so this request no longer "
            "applies. A new request follows if it still needs approval."
        )
    if chain.state == EXPIRED or quote.status is QuoteStatus.EXPIRED:
        until = cards.when(quote.valid_until) if quote.valid_until else "its end date"
        return f":hourglass: *Expired* — the quote passed {until} before it was decided."
    if quote.status is QuoteStatus.APPROVED:
        return ":white_check_mark: *Approved* — the approval chain is complete."
    if quote.status is QuoteStatus.REJECTED:
        return ":x: *Rejected* — the approval chain has ended."
    level = chain.level
    if request.state == DECIDED and level is not None and request.level == chain.current:
        return "You approved; waiting for the other approvers of this level."
    name = escape(level.name) if level else "?"
    return f"This level is decided; the quote now waits on level *{name}*."


def card_for(
    quote: Quote, chain: Chain, request: RequestMessage, decisions: Sequence[ApprovalDecision]
) -> Any:
    may = chain.state == ACTIVE and request.state == OPEN and request.level == chain.current
    return cards.request_card(
        quote,
        chain,
        request.level,
        decisions=decisions,
        may_decide=may,
        status="" if may else status_of(quote, chain, request),
    )


async def refresh(step: Step, quote: Quote, chain: Chain, *, tag: str) -> int:
    """Update every copy of the chain's requests to show where things stand now."""
    assert chain.id is not None
    decisions = await chain_decisions(step, quote, chain)
    shown = 0
    for request in await step.store.requests(chain.id):
        payload = step.deps.render(card_for(quote, chain, request, decisions))
        await show(step, request, payload, tag=tag)
        shown += 1
    return shown


async def show(step: Step, request: RequestMessage, payload: dict[str, Any], *, tag: str) -> None:
    if request.ts and request.channel:
        message = OutboxMessage(
            key=f"approval-update:{request.id}:{tag}",
            channel=request.channel,
            payload={**payload, "ts": request.ts},
            kind=UPDATE,
        )
        await step.uow.outbox.enqueue(message, now=step.now)
        request.pending_payload = None
    elif await step.store.rewrite_unsent(request.outbox_key, payload):
        request.pending_payload = None
    else:
        request.pending_payload = {**payload, _TAG: tag}
    await step.store.save_request(request)


async def flush(step: Step, *, limit: int = 200) -> int:
    """Send the updates kept for copies that were in flight; how many went out."""
    sent = 0
    for request in await step.store.unrefreshed(limit=limit):
        if not (request.ts and request.channel and request.pending_payload):
            continue
        payload = dict(request.pending_payload)
        tag = str(payload.pop(_TAG, "kept"))
        await show(step, request, payload, tag=tag)
        sent += 1
    return sent
