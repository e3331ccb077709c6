"""The facts a policy rule reads about a quote, and who approves each level.

Credit headroom = credit limit − open receivables (unpaid invoice amounts less payments)
− this quote's total; a client with no credit limit has no headroom (unknown), so no
credit rule fires for it. Tier and risk level are the client's latest kept scores (§6).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from domain.approvals.model import ChainFacts
from domain.approvals.nodes import Value
from domain.approvals.policy import Approver
from domain.model import Quote, Role, User
from domain.services.approvals_context import Step

logger = logging.getLogger(__name__)


async def gather(step: Step, quote: Quote) -> tuple[dict[str, Value], ChainFacts]:
    uow = step.uow
    client = await uow.clients.get(quote.client_external_id)
    requester = await uow.users.get(quote.requested_by_slack_user_id)
    score = None
    if client is not None and client.id is not None:
        score = await uow.scores.latest(client.id, on_or_before=step.now.date())
    limit = client.credit_limit if client else None
    headroom = None
    if limit is not None:
        owed = await step.store.open_receivables(quote.client_external_id)
        headroom = limit - owed - quote.total
    facts: dict[str, Value] = {
        "total": quote.total,
        "discount_pct": quote.discount_pct,
        "credit_headroom": headroom,
        "client.tier": score.clv_tier if score else None,
        "client.risk_level": score.risk_level if score else None,
        "requester.role": str(requester.role) if requester else None,
    }
    shown = ChainFacts(
        client_name=client.name if client else quote.client_external_id,
        risk_level=score.risk_level if score else None,
        tier=score.clv_tier if score else None,
        credit_limit=limit,
        headroom=headroom,
    )
    return facts, shown


def approvers_of(approver: Approver, requester: str, users: Sequence[User]) -> tuple[str, ...]:
    """The level's approvers, never the requester. A requester without a manager goes to
    the managers; a level nobody can decide goes to the admins (never left unowned)."""
    by_id = {u.slack_user_id: u for u in users}
    me = by_id.get(requester)
    if approver.kind == "manager":
        boss = me.manager_slack_user_id if me else None
        found = [boss] if boss else [u.slack_user_id for u in users if u.role is Role.MANAGER]
    elif approver.kind == "role":
        found = [u.slack_user_id for u in users if str(u.role) == approver.role]
    else:
        found = list(approver.users)
    chosen = [u for u in dict.fromkeys(found) if u != requester]
    if not chosen:
        chosen = [
            u.slack_user_id for u in users if u.role is Role.ADMIN and u.slack_user_id != requester
        ]
        logger.warning("approval level %s has no approver; falling back to admins", approver)
    return tuple(chosen)
