"""Demo quotes at every stage of the built-in approval policy (CONTRACT §4.4)."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

from domain.demo_types import DemoDecision
from domain.demo_util import DAY, days_ago, money
from domain.demo_words import CATEGORIES, QUOTE_DESCRIPTIONS, REJECTION_REASONS
from domain.model import Client, Decision, Quote, QuoteStatus

# Stages, each present once before the rest are drawn by weight.
STAGES = ("auto", "pending_manager", "pending_finance", "approved", "rejected", "expired")
STAGE_WEIGHTS = (0.2, 0.2, 0.15, 0.2, 0.1, 0.15)
# (first, last) days before now a quote of each stage was created.
CREATED_DAYS_AGO = {
    "auto": (1, 90),
    "pending_manager": (0.05, 10),
    "pending_finance": (2, 10),
    "approved": (5, 120),
    "rejected": (5, 120),
    "expired": (35, 150),
}
VALID_DAYS = 30
AUTO_MIN, AUTO_MAX = 2_000, 9_999
MANAGER_TOTAL, FINANCE_TOTAL, MANAGER_DISCOUNT = Decimal(10_000), Decimal(50_000), Decimal(10)

Levels = list[tuple[int, str]]
Approver = Callable[[str, str], str]  # (level name, requester) -> approver slack id
Receivables = Callable[[str, datetime], Decimal]  # (client external id, at) -> owed


def quote_count(clients: int) -> int:
    """About one quote per five clients, and at least one of each stage when possible."""
    return max(clients // 5, min(clients, len(STAGES)))


def required_levels(*, total: Decimal, discount: Decimal, headroom: Decimal) -> Levels:
    """The built-in policy: ``headroom`` is credit limit minus receivables minus this quote."""
    levels: Levels = []
    if discount > MANAGER_DISCOUNT or total >= MANAGER_TOTAL:
        levels.append((1, "manager"))
    if total >= FINANCE_TOTAL or headroom < 0:
        levels.append((2, "finance"))
    return levels


class QuoteMaker:
    def __init__(
        self, rng: random.Random, *, now: datetime, approver: Approver, owed: Receivables
    ) -> None:
        self.rng, self.now, self.approver, self.owed = rng, now, approver, owed

    def stages(self, count: int) -> list[str]:
        extra = max(0, count - len(STAGES))
        stages = list(STAGES[:count]) + self.rng.choices(STAGES, STAGE_WEIGHTS, k=extra)
        self.rng.shuffle(stages)
        return stages

    def make(self, client: Client, *, number: int, stage: str) -> tuple[Quote, list[DemoDecision]]:
        rng = self.rng
        requester = client.owner_slack_user_id or ""
        created = days_ago(rng, self.now, *CREATED_DAYS_AGO[stage])
        total, discount = self._terms(stage)
        limit = client.credit_limit if client.credit_limit is not None else Decimal("Infinity")
        room = limit - self.owed(client.external_id, created)
        if stage == "auto" and total > room:
            # Over its credit: a smaller quote still fits, or finance turns the small one down.
            if room > AUTO_MIN + 1:
                total = money(rng.uniform(AUTO_MIN, min(float(room), AUTO_MAX) - 1) * 100)
            else:
                stage = "rejected"
        headroom = room - total
        levels = required_levels(total=total, discount=discount, headroom=headroom)
        quote = Quote(
            external_id=f"Q{number:05d}",
            client_external_id=client.external_id,
            requested_by_slack_user_id=requester,
            total=total,
            discount_pct=discount,
            valid_until=created + timedelta(days=VALID_DAYS if stage != "pending_manager" else 45),
            created_at=created,
            description=rng.choice(QUOTE_DESCRIPTIONS).format(
                category=rng.choice(CATEGORIES), quarter=rng.randint(1, 4)
            ),
        )
        decisions = self._decide(quote, stage=stage, levels=levels)
        return quote, decisions

    def _terms(self, stage: str) -> tuple[Decimal, Decimal]:
        rng = self.rng
        low, high = {
            "auto": (AUTO_MIN, AUTO_MAX),
            "pending_manager": (10_000, 49_999),
            "pending_finance": (50_000, 120_000),
        }.get(stage, (2_000, 120_000))
        total = money(rng.uniform(low, high) * 100)
        top = 10 if stage == "auto" else 25
        discount = Decimal(rng.randrange(0, top * 2 + 1) * 5).scaleb(-1)  # 0.0, 0.5, … top
        if stage in ("approved", "rejected", "expired") and total < MANAGER_TOTAL:
            # These stages went through a level, which a small total needs by its discount.
            discount = Decimal(rng.randint(11, 25) * 10).scaleb(-1)
        return total, discount

    def _decide(self, quote: Quote, *, stage: str, levels: Levels) -> list[DemoDecision]:
        rng = self.rng
        decided_levels = {
            "auto": 0,
            "pending_manager": 0,
            "pending_finance": len(levels) - 1,
            "approved": len(levels),
            "rejected": rng.randint(1, len(levels)) if levels else 0,
            "expired": rng.randint(0, max(len(levels) - 1, 0)),
        }[stage]
        decisions: list[DemoDecision] = []
        moment = quote.created_at or self.now
        for position, (level, name) in enumerate(levels[:decided_levels], start=1):
            moment = min(moment + timedelta(hours=rng.uniform(1, 40)), self.now)
            rejected = stage == "rejected" and position == decided_levels
            decisions.append(
                DemoDecision(
                    quote_external_id=quote.external_id,
                    level=level,
                    level_name=name,
                    approver_slack_user_id=self.approver(name, quote.requested_by_slack_user_id),
                    decision=Decision.REJECTED if rejected else Decision.APPROVED,
                    decided_at=moment.replace(microsecond=0),
                    comment=rng.choice(REJECTION_REASONS[name]) if rejected else None,
                )
            )
        quote.status = _status(stage, levels=levels, decisions=decisions)
        if quote.status is QuoteStatus.EXPIRED:
            quote.valid_until = min(quote.valid_until or self.now, self.now - DAY)
        return decisions


def _status(stage: str, *, levels: Levels, decisions: list[DemoDecision]) -> QuoteStatus:
    if stage == "expired":
        return QuoteStatus.EXPIRED
    if any(d.decision is Decision.REJECTED for d in decisions):
        return QuoteStatus.REJECTED
    if len(decisions) == len(levels):
        return QuoteStatus.APPROVED
    return QuoteStatus.PENDING
