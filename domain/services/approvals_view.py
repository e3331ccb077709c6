"""An approval request as it stands now, for one reader.

Chat platforms that redraw a card on demand (Teams' Universal Actions ``refresh``) ask
for this instead of waiting for the update of their copy: the reader's own copy when
they have one (buttons while they may still decide), else where it stands, without the
quote's figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from domain.approvals import cards
from domain.approvals.model import CLOSED, Chain, RequestMessage
from domain.cards import Block, Card, Note, Text
from domain.model import ApprovalDecision, Quote
from domain.services.approvals import RequestGone
from domain.services.approvals_context import ApprovalDeps, Step
from domain.services.approvals_messages import card_for, chain_decisions, status_of
from domain.text import escape


@dataclass(frozen=True)
class RequestView:
    card: Card
    approvers: tuple[str, ...]  # everyone asked in this chain, by CRM user key


async def current_view(deps: ApprovalDeps, reader: str, chain_id: int) -> RequestView:
    """The request of ``chain_id`` as ``reader`` should see it now (read only)."""
    async with deps.uow(read_only=True) as uow:
        step = Step.of(uow, deps, deps.clock())
        chain = await step.store.chain(chain_id)
        key = await step.store.quote_key(chain.quote_id) if chain else None
        quote = await uow.quotes.get(key) if key else None
        if chain is None or chain.id is None or quote is None:
            raise RequestGone()
        decisions = await chain_decisions(step, quote, chain)
        requests = list(await step.store.requests(chain.id))
        mine = [r for r in requests if r.approver == reader]
        if mine:
            card = card_for(quote, chain, max(mine, key=lambda r: r.level), decisions)
        else:
            card = _onlooker(quote, chain, decisions)
        approvers = tuple(dict.fromkeys(r.approver for r in requests))
        return RequestView(card, approvers)


def _onlooker(quote: Quote, chain: Chain, decisions: Sequence[ApprovalDecision]) -> Card:
    """Someone who was not asked: where the request stands, without the quote's figures
    (who may see money is ``domain.access``'s business, and an onlooker isn't asked)."""
    assert chain.id is not None
    level_no = min(max(chain.current, 1), len(chain.levels))
    nobody = RequestMessage(chain.id, level_no, "", "", state=CLOSED)
    lead = f"*Quote {escape(quote.external_id)}* — only its approvers see the request."
    blocks: list[Block] = [Text(lead), *(Note(cards.decision_line(d)) for d in decisions)]
    blocks.append(Text(status_of(quote, chain, nobody)))
    return Card(summary=f"Quote {quote.external_id}", blocks=tuple(blocks))
