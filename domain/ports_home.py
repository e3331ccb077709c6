"""What the App Home reads beyond plain repositories: one user's clients by their kept
scores, and a manager's team at a glance.

``storage/repositories/home.py`` implements it on SQLAlchemy, ``tests/fakes_home.py`` in
memory; ``tests/integration/test_home_reads.py`` runs the same assertions on both. Every
read is bounded (``limit``) and indexed by owner, so a Home opens as fast with 100,000
clients as with 100.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from domain.model import Client, User
from domain.scores.record import ScoreRecord


@dataclass(frozen=True)
class ClientScore:
    client: Client
    score: ScoreRecord


@dataclass(frozen=True)
class ScoredPage:
    """The first ``limit`` matches and how many match in all."""

    items: tuple[ClientScore, ...] = field(default_factory=tuple)
    total: int = 0


@dataclass(frozen=True)
class TeamMember:
    user: User
    open_tasks: int
    overdue_tasks: int
    at_risk: int


class HomeReads(Protocol):
    async def at_risk(
        self, owner: str, *, on_or_before: date, min_risk: int, limit: int
    ) -> ScoredPage:
        """The owner's clients whose latest kept risk score (the newest scores kept on or
        before ``on_or_before``) is ``min_risk`` or more, riskiest first."""
        ...

    async def reorder_due(
        self, owner: str, *, on_or_before: date, start: date, end: date, limit: int
    ) -> ScoredPage:
        """The owner's clients whose next order is expected between ``start`` and ``end``
        (inclusive) by their latest kept scores, soonest (most overdue) first."""
        ...

    async def team(
        self, manager: str, *, now: datetime, on_or_before: date, min_risk: int
    ) -> Sequence[TeamMember]:
        """The manager's direct reports by name, each with open and overdue task counts and
        the number of their clients at risk."""
        ...
