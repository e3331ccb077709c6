"""One Approve or Reject: checked (``approvals_checks``), then compare-and-set on the
quote's version. Every refusal is audited and changes nothing else. A decision that
loses the compare-and-set to a concurrent one raises ``LostRace``: the caller runs it
again in a fresh unit of work, where the checks see the winner.
"""

from __future__ import annotations

from collections.abc import Sequence

from domain.approvals import cards
from domain.approvals.model import CLOSED, DECIDED, DONE, OPEN, Chain
from domain.cards import Card, info_card
from domain.crashpoints import crash_point
from domain.model import ApprovalDecision, Decision, OutboxMessage, Quote, QuoteStatus
from domain.services.approvals_checks import Attempt, refusal, refuse
from domain.services.approvals_context import Step, chain_details
from domain.services.approvals_messages import ask_level, chain_decisions, refresh
from domain.services.approvals_start import quote_data
from domain.text import escape


class LostRace(Exception):
    """Another decision changed the quote first; try again with fresh data."""


async def decide(step: Step, quote: Quote, chain: Chain, attempt: Attempt) -> Card:
    """Check, then decide; the card tells the clicker what happened."""
    assert quote.id is not None and chain.id is not None
    decisions = await chain_decisions(step, quote, chain)
    reason = refusal(quote, chain, decisions, attempt.actor)
    if reason is not None:
        return await refuse(step, quote, chain, attempt, reason)
    level = chain.level
    assert level is not None
    decision = ApprovalDecision(
        quote.id,
        chain.current,
        level.name,
        attempt.actor,
        attempt.decision,
        step.now,
        quote.version,
        attempt.comment or None,
    )
    status, next_level = _next(chain, [*decisions, decision])
    if not await step.uow.quotes.set_status(
        quote.id, status, level=next_level, expected_version=quote.version
    ):
        raise LostRace(quote.external_id)
    await step.uow.quotes.add_decision(decision)
    before = {"status": str(quote.status), "version": quote.version, **chain_details(chain)}
    await _advance(step, quote, chain, attempt, status=status, next_level=next_level)
    quote.status, quote.version = status, quote.version + 1
    after = {"status": str(status), "version": quote.version, "level": next_level}
    details = {
        "client_external_id": quote.client_external_id,
        "decision": str(attempt.decision),
        "comment": attempt.comment,
        "before": before,
        "after": after,
    }
    await step.audit(attempt.actor, attempt.surface, "quote.decision", quote.external_id, details)
    await refresh(step, quote, chain, tag=f"v{quote.version}")
    if status is not QuoteStatus.PENDING:
        await _finish(step, quote, decision, status)
    crash_point("approval.after_decision_before_commit")
    return info_card(_told(quote, decision, status, chain))


def _next(chain: Chain, decisions: Sequence[ApprovalDecision]) -> tuple[QuoteStatus, int]:
    """The quote's status and pending level after ``decisions`` (the last one is new)."""
    last = decisions[-1]
    if last.decision is Decision.REJECTED:
        return QuoteStatus.REJECTED, 0
    level = chain.levels[chain.current - 1]
    approved = {d.approver_slack_user_id for d in decisions if d.level == chain.current}
    if level.quorum == "all" and not set(level.approvers) <= approved:
        return QuoteStatus.PENDING, chain.current
    if chain.current < len(chain.levels):
        return QuoteStatus.PENDING, chain.current + 1
    return QuoteStatus.APPROVED, 0


async def _advance(
    step: Step,
    quote: Quote,
    chain: Chain,
    attempt: Attempt,
    *,
    status: QuoteStatus,
    next_level: int,
) -> None:
    assert chain.id is not None
    requests = await step.store.requests(chain.id)
    level_done = status is not QuoteStatus.PENDING or next_level != chain.current
    for request in requests:
        if request.level != chain.current or request.state != OPEN:
            continue
        if request.approver == attempt.actor:
            request.state = DECIDED
        elif level_done:
            request.state = CLOSED
        else:
            continue
        await step.store.save_request(request)
    if status is not QuoteStatus.PENDING:
        chain.state, chain.current = DONE, 0
    elif next_level != chain.current:
        chain.current, chain.level_started_at = next_level, step.now
        chain.reminded_at = chain.escalated_at = None
    await step.store.save_chain(chain)
    if status is QuoteStatus.PENDING and level_done:
        await ask_level(step, quote, chain, await chain_decisions(step, quote, chain))


async def _finish(
    step: Step, quote: Quote, decision: ApprovalDecision, status: QuoteStatus
) -> None:
    """Tell the requester, and the ERP's webhooks."""
    card = cards.outcome_card(quote, status=str(status), decision=decision)
    payload = step.deps.render(card)
    await step.uow.outbox.enqueue(
        OutboxMessage(
            key=f"approval-outcome:{quote.external_id}:{quote.version}",
            channel=quote.requested_by_slack_user_id,
            payload=payload,
        ),
        now=step.now,
    )
    event = "quote.approved" if status is QuoteStatus.APPROVED else "quote.rejected"
    data = {
        **quote_data(quote),
        "status": str(status),
        "decided_by": decision.approver_slack_user_id,
        "decided_at": decision.decided_at,
        "comment": decision.comment,
        "level_name": decision.level_name,
    }
    await step.deps.webhooks.emit(
        step.uow, event, data, entity=quote.external_id, version=quote.version, now=step.now
    )


def _told(quote: Quote, decision: ApprovalDecision, status: QuoteStatus, chain: Chain) -> str:
    key = escape(quote.external_id)
    verb = "approved" if decision.decision is Decision.APPROVED else "rejected"
    if status is QuoteStatus.PENDING:
        level = chain.level
        nxt = f"; it now waits on level *{escape(level.name)}*" if level else ""
        return f":white_check_mark: You {verb} quote *{key}*{nxt}."
    return f":white_check_mark: You {verb} quote *{key}*; it is now *{status}*."
