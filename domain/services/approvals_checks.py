"""Who may decide a quote now, and what a refused click is told (and audited).

The checks, in order: the requester never decides their own quote; a void, ended or
expired request says who decided (or why it is closed); an approver who already decided
is told so; only an approver of the current level may decide.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from domain.approvals import cards
from domain.approvals.model import DONE, EXPIRED, VOID, Chain
from domain.cards import Card, info_card
from domain.model import ApprovalDecision, Decision, Quote, QuoteStatus, Surface
from domain.services.approvals_context import Step, chain_details
from domain.text import escape


@dataclass(frozen=True)
class Attempt:
    actor: str
    chain_id: int
    decision: Decision
    surface: Surface
    comment: str | None = None


def _who(decisions: Sequence[ApprovalDecision]) -> str:
    return cards.decision_line(decisions[-1]) if decisions else ""


def refusal(
    quote: Quote, chain: Chain, decisions: Sequence[ApprovalDecision], actor: str
) -> tuple[str, str] | None:
    """(reason code, what to tell the user) when ``actor`` may not decide now; else None."""
    key = escape(quote.external_id)
    if actor == quote.requested_by_slack_user_id:
        return "self", f"You requested quote *{key}*, so you can't decide on it."
    if chain.state == VOID:
        return "void", f"This request for quote *{key}* is void: its terms changed since."
    if chain.state == EXPIRED or quote.status is QuoteStatus.EXPIRED:
        return "expired", f"Quote *{key}* expired before a decision; nothing to decide."
    if chain.state == DONE or quote.status is not QuoteStatus.PENDING:
        return "decided", f"Quote *{key}* was already decided: {_who(decisions)}"
    level = chain.level
    assert level is not None
    mine = [d for d in decisions if d.level == chain.current and d.approver_slack_user_id == actor]
    if mine:
        return "repeat", f"You already decided on quote *{key}*: {_who(mine)}"
    if actor not in level.approvers:
        earlier = [d for d in decisions if d.level < chain.current]
        if earlier and any(actor in chain.levels[d.level - 1].approvers for d in earlier):
            return "decided", f"That level of quote *{key}* was already decided: {_who(earlier)}"
        who = ", ".join(f"<@{a}>" for a in level.approvers) or "nobody yet"
        return (
            "not_approver",
            f"Only {who} can decide quote *{key}* at level *{escape(level.name)}*; "
            "nothing changed.",
        )
    return None


async def refuse(
    step: Step, quote: Quote, chain: Chain, attempt: Attempt, reason: tuple[str, str]
) -> Card:
    details = {
        **chain_details(chain),
        "client_external_id": quote.client_external_id,
        "attempted": str(attempt.decision),
        "reason": reason[0],
        "version": quote.version,
    }
    await step.audit(
        attempt.actor, attempt.surface, "quote.decision_refused", quote.external_id, details
    )
    return info_card(reason[1])
