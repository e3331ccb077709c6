"""Quote approvals (CONTRACT §4.4): the service every surface calls.

The ERP hook (``on_quote_changed``) and the import hook run in the caller's unit of
work; a click runs in its own, retried when a concurrent decision won the
compare-and-set (the retry then tells the clicker who decided). It also implements the
``WaitingApprovals`` port the digest and the App Home use.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from functools import partial
from typing import TypeVar

from domain.approvals import cards
from domain.approvals.model import Chain
from domain.cards import Block, Card, info_card
from domain.crashpoints import crash_point
from domain.errors import UsageError
from domain.model import Decision, Quote, Surface
from domain.ports import UnitOfWork
from domain.ports_approvals import WaitingSection
from domain.services import approvals_jobs, approvals_start
from domain.services.approvals_checks import Attempt, refusal, refuse
from domain.services.approvals_context import ApprovalDeps, Step
from domain.services.approvals_decide import LostRace, decide
from domain.services.approvals_messages import chain_decisions, flush

logger = logging.getLogger(__name__)

RETRIES = 5
LISTED = 10
CYCLE_LIMIT = 500
T = TypeVar("T")


class RequestGone(UsageError):
    def __init__(self) -> None:
        super().__init__("That approval request no longer exists.")


class ApprovalService:
    def __init__(self, deps: ApprovalDeps) -> None:
        self.deps = deps

    # hooks, in the caller's unit of work
    async def on_quote_changed(
        self,
        uow: UnitOfWork,
        quote: Quote,
        *,
        previous: Quote | None,
        restarted: bool,
        now: datetime,
        surface: Surface = Surface.API,
    ) -> None:
        step = Step.of(uow, self.deps, now)
        await approvals_start.on_quote_changed(
            step, quote, previous=previous, restarted=restarted, surface=surface
        )

    async def quotes_imported(
        self,
        uow: UnitOfWork,
        quotes: Sequence[Quote],
        *,
        before: Mapping[str, Quote | None],
        now: datetime,
    ) -> int:
        return await approvals_start.imported(Step.of(uow, self.deps, now), quotes, before=before)

    # clicks
    async def decide(
        self,
        actor: str,
        chain_id: int,
        decision: Decision,
        *,
        surface: Surface,
        comment: str | None = None,
    ) -> Card:
        attempt = Attempt(actor, chain_id, decision, surface, (comment or "").strip() or None)

        async def run(step: Step, quote: Quote, chain: Chain) -> Card:
            return await decide(step, quote, chain, attempt)

        return await self._retried(chain_id, run)

    async def check(self, actor: str, chain_id: int, *, surface: Surface) -> Card | None:
        """Before the reject form opens: the refusal the click would get (audited), or None."""
        attempt = Attempt(actor, chain_id, Decision.REJECTED, surface)

        async def run(step: Step, quote: Quote, chain: Chain) -> Card | None:
            reason = refusal(quote, chain, await chain_decisions(step, quote, chain), actor)
            return None if reason is None else await refuse(step, quote, chain, attempt, reason)

        return await self._retried(chain_id, run)

    async def approve_many(self, actor: str, chain_ids: Sequence[int], *, surface: Surface) -> Card:
        """The ticked quotes, each decided as if clicked alone (its own unit of work)."""
        if not chain_ids:
            return info_card("Tick at least one quote, then press *Approve selected*.")
        told: list[Block] = []
        for chain_id in list(dict.fromkeys(chain_ids))[: cards.MAX_TICKS]:
            try:
                card = await self.decide(actor, chain_id, Decision.APPROVED, surface=surface)
            except RequestGone as gone:
                card = info_card(gone.user_message())
            told += card.blocks
        return Card(f"Decided {len(told)} ticked quotes", tuple(told))

    async def _retried(self, chain_id: int, run: Callable[[Step, Quote, Chain], Awaitable[T]]) -> T:
        for attempt in range(RETRIES):
            async with self.deps.uow() as uow:
                step = Step.of(uow, self.deps, self.deps.clock())
                chain = await step.store.chain(chain_id)
                key = await step.store.quote_key(chain.quote_id) if chain else None
                quote = await uow.quotes.get(key) if key else None
                if chain is None or quote is None:
                    raise RequestGone()
                try:
                    result = await run(step, quote, chain)
                except LostRace:
                    logger.info("approval of %s lost a race (try %d); again", key, attempt + 1)
                    continue
                await uow.commit()
                crash_point("approval.after_commit")
                return result
        raise UsageError("That quote is changing fast; try again in a moment.")

    # lists
    async def waiting_on(
        self, uow: UnitOfWork, slack_user_id: str, *, now: datetime, limit: int
    ) -> WaitingSection:
        items, total = await self._waiting(uow, slack_user_id, now=now, limit=limit)
        return WaitingSection(tuple(cards.waiting_blocks(items)), total)

    async def waiting_card(self, uow: UnitOfWork, slack_user_id: str, *, now: datetime) -> Card:
        items, total = await self._waiting(uow, slack_user_id, now=now, limit=LISTED)
        return cards.waiting_card(items, total)

    async def _waiting(
        self, uow: UnitOfWork, slack_user_id: str, *, now: datetime, limit: int
    ) -> tuple[list[tuple[Quote, Chain]], int]:
        step = Step.of(uow, self.deps, now)
        found, total = await step.store.waiting_on(slack_user_id, limit=limit)
        items = []
        for chain, key in found:
            quote = await uow.quotes.get(key)
            if quote is not None:
                items.append((quote, chain))
        return items, total

    async def adopt_pending(self, uow: UnitOfWork, *, now: datetime) -> int:
        """Give every pending quote without a round one (in the caller's unit of work)."""
        step = Step.of(uow, self.deps, now)
        started = 0
        for key in await step.store.orphans(limit=CYCLE_LIMIT):
            quote = await uow.quotes.get(key)
            if quote is not None:
                started += await approvals_start.adopt(step, quote) is not None
        return started

    # the quote-expiry cycle
    async def run_cycle(self, *, now: datetime) -> dict[str, int]:
        counts = {"adopted": 0, "expired": 0, "reminded": 0, "escalated": 0, "refreshed": 0}
        async with self.deps.uow() as uow:
            counts["adopted"] = await self.adopt_pending(uow, now=now)
            await uow.commit()
        async with self.deps.uow() as uow:
            keys = await Step.of(uow, self.deps, now).store.pending_past(now, limit=CYCLE_LIMIT)
        for key in keys:
            counts["expired"] += await self._in_own(now, partial(approvals_jobs.expire, key=key))
        before = now - self.deps.rules.escalate_after
        async with self.deps.uow() as uow:
            chains = await Step.of(uow, self.deps, now).store.overdue(before, limit=CYCLE_LIMIT)
        for chain in chains:
            action = await self._in_own(now, partial(self._nudge, seen=chain, before=before))
            if action == "quote.approval_reminded":
                counts["reminded"] += 1
            elif action == "quote.approval_escalated":
                counts["escalated"] += 1
        counts["refreshed"] = await self._in_own(now, flush)
        return counts

    async def _nudge(self, step: Step, seen: Chain, before: datetime) -> str | None:
        chain = await step.store.chain(seen.id) if seen.id is not None else None
        key = await step.store.quote_key(seen.quote_id)
        quote = await step.uow.quotes.get(key) if key else None
        if chain is None or quote is None:
            return None
        return await approvals_jobs.nudge(step, chain, quote, before=before)

    async def _in_own(self, now: datetime, run: Callable[[Step], Awaitable[T]]) -> T:
        async with self.deps.uow() as uow:
            result = await run(Step.of(uow, self.deps, now))
            await uow.commit()
            return result
