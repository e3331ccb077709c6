"""An in-memory ``HomeReads`` over the fake unit of work's tables (tests/fakes.py) and the
kept scores of ``tests/fakes_scores.py``; ``tests/integration/test_home_reads.py`` holds it
and the SQL implementation to the same assertions."""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from domain.model import TaskStatus
from domain.ports_home import ClientScore, HomeReads, ScoredPage, TeamMember
from domain.scores.record import ScoreRecord


class FakeHomeReads(HomeReads):
    def __init__(self, txn: Any) -> None:
        self._txn = txn

    def _latest(self, on_or_before: date) -> dict[int, ScoreRecord]:
        kept: dict[tuple[int, date], ScoreRecord] = self._txn.tables.__dict__.get(
            "client_scores", {}
        )
        days = [d for (_, d) in kept if d <= on_or_before]
        if not days:
            return {}
        day = max(days)
        return {c: r for (c, d), r in kept.items() if d == day}

    def _owned(self, owner: str, on_or_before: date) -> list[ClientScore]:
        scores = self._latest(on_or_before)
        return [
            ClientScore(copy.deepcopy(c), copy.deepcopy(scores[c.id]))
            for c in self._txn.tables.clients.values()
            if c.owner_slack_user_id == owner and c.id in scores
        ]

    def _page(
        self, found: list[ClientScore], key: Callable[[ClientScore], Any], limit: int
    ) -> ScoredPage:
        ordered = sorted(found, key=lambda s: (key(s), s.client.name))
        return ScoredPage(tuple(ordered[:limit]), len(ordered))

    async def at_risk(
        self, owner: str, *, on_or_before: date, min_risk: int, limit: int
    ) -> ScoredPage:
        found = [s for s in self._owned(owner, on_or_before) if s.score.risk_score >= min_risk]
        return self._page(found, lambda s: -s.score.risk_score, limit)

    async def reorder_due(
        self, owner: str, *, on_or_before: date, start: date, end: date, limit: int
    ) -> ScoredPage:
        found = [
            s
            for s in self._owned(owner, on_or_before)
            if s.score.next_order_expected and start <= s.score.next_order_expected <= end
        ]
        return self._page(found, lambda s: s.score.next_order_expected, limit)

    async def team(
        self, manager: str, *, now: datetime, on_or_before: date, min_risk: int
    ) -> Sequence[TeamMember]:
        t = self._txn.tables
        reports = sorted(
            (u for u in t.users.values() if u.manager_slack_user_id == manager),
            key=lambda u: u.name,
        )
        scores = self._latest(on_or_before)
        members = []
        for user in reports:
            mine = [
                x
                for x in t.tasks.values()
                if x.assignee_slack_user_id == user.slack_user_id and x.status == TaskStatus.OPEN
            ]
            risky = [
                c
                for c in t.clients.values()
                if c.owner_slack_user_id == user.slack_user_id
                and c.id in scores
                and scores[c.id].risk_score >= min_risk
            ]
            late = sum(1 for x in mine if x.due_at < now)
            members.append(TeamMember(copy.deepcopy(user), len(mine), late, len(risky)))
        return members
