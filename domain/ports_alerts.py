"""Ports of the digest, risk alerts and auto-tasks: what they read and the state they keep.

``storage/repositories/digest.py`` and ``storage/repositories/alerts.py`` implement them on
SQLAlchemy. Every claim is a compare-and-set in the database (a unique row inserted once,
a conditional UPDATE), so several processes running one job never act twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol

from domain.cards import Card
from domain.model import Activity, Task, UserPreferences
from domain.scores.record import ScoreRecord

if TYPE_CHECKING:
    from domain.ports import UnitOfWork


@dataclass(frozen=True)
class Recipient:
    """A user who may get a digest: their zone as known, and their saved settings."""

    slack_user_id: str
    name: str
    timezone: str | None
    manager_slack_user_id: str | None
    preferences: UserPreferences | None  # None: never saved, the policy file's defaults


@dataclass(frozen=True)
class ClientLine:
    client_id: int
    external_id: str
    name: str
    owner_slack_user_id: str | None


@dataclass(frozen=True)
class Reorder:
    client: ClientLine
    kept: ScoreRecord


@dataclass(frozen=True)
class RiskAlert:
    """One rise of a client's risk to ``alert_at`` or more (CONTRACT §4.5)."""

    id: int
    client: ClientLine
    owner_slack_user_id: str | None
    risk_score: int
    factors: list[dict[str, Any]]
    raised_at: datetime
    status: str  # "sent" | "folded" (over the daily cap) | "muted" (alerts off) | "no_owner"
    snoozed_until: datetime | None = None
    handled_at: datetime | None = None


class DigestStore(Protocol):
    async def recipients(self) -> Sequence[Recipient]:
        """Every user, with saved preferences where there are any."""
        ...

    async def claimed_on(self, local_dates: Iterable[date]) -> set[tuple[str, date]]:
        """(user, local date) of the digests already claimed on those dates."""
        ...

    async def claim_many(self, claims: Sequence[tuple[str, date]], *, now: datetime) -> set[str]:
        """Claim each (user, local date) digest; the users whose claim this call made (a
        claim is made once, by one caller, in this process or another)."""
        ...

    async def record_many(self, results: Sequence[tuple[str, date, int]], *, now: datetime) -> None:
        """What each claimed (user, local date) digest held; one with items was queued."""
        ...

    async def last_sent_many(self, slack_user_ids: Iterable[str]) -> dict[str, datetime]:
        """When each user's last scheduled digest was queued (users without one left out)."""
        ...

    async def activities_by_many(
        self, slack_user_ids: Iterable[str], *, since: datetime, until: datetime
    ) -> dict[str, list[tuple[Activity, ClientLine]]]:
        """Per author, the activities (not undone) that happened in [since, until)."""
        ...

    async def reorders_many(
        self, owners: Iterable[str], *, on_or_before: date
    ) -> dict[str, list[Reorder]]:
        """Per owner, their clients' latest kept scores that have an order rhythm."""
        ...

    async def open_tasks_of(self, slack_user_ids: Iterable[str]) -> dict[str, list[Task]]:
        """Open tasks per assignee, earliest due first."""
        ...

    async def clients(self, client_ids: Iterable[int]) -> dict[int, ClientLine]: ...


class DigestNow(Protocol):
    async def send_now(self, uow: UnitOfWork, slack_user_id: str, *, now: datetime) -> Card:
        """The user's digest as of now, queued to them; the reply to show them."""
        ...


class RiskAlertStore(Protocol):
    async def armed(self, client_ids: Iterable[int]) -> dict[int, bool]:
        """Each client's alert state; a client missing here has never been seen (armed)."""
        ...

    async def disarm(self, client_id: int, *, score: int, now: datetime) -> bool:
        """Compare-and-set armed → disarmed (creating the state if new); True once."""
        ...

    async def rearm(self, client_ids: Iterable[int], *, now: datetime) -> int: ...

    async def add(
        self,
        client_id: int,
        *,
        owner: str | None,
        score: int,
        factors: list[dict[str, Any]],
        status: str,
        now: datetime,
    ) -> int:
        """Record a rise; returns its id."""
        ...

    async def take_quota(self, slack_user_id: str, local_date: date, *, cap: int) -> bool:
        """One of the user's ``cap`` alerts of ``local_date``; False when all are taken."""
        ...

    async def get(self, alert_id: int) -> RiskAlert | None: ...

    async def for_owners(
        self, owners: Iterable[str], *, since: datetime
    ) -> dict[str, list[RiskAlert]]:
        """Per owner, their alerts raised after ``since``, oldest first."""
        ...

    async def snooze(self, alert_id: int, *, until: datetime, now: datetime) -> bool:
        """Compare-and-set: only an alert not snoozed and not handled; True once."""
        ...

    async def handle(self, alert_id: int, *, now: datetime) -> bool:
        """Compare-and-set: mark handled (a retention task made); True once."""
        ...

    async def snoozes_due(self, *, now: datetime) -> Sequence[RiskAlert]: ...

    async def wake(self, alert_id: int, *, now: datetime) -> bool:
        """Compare-and-set: end a due snooze; True for the one caller that did."""
        ...

    async def marked(self, name: str) -> str | None:
        """A job's progress mark, None before the first."""
        ...

    async def mark(self, name: str, *, value: str, now: datetime) -> bool:
        """Compare-and-set a job's progress mark to ``value``; False when it already was."""
        ...


@dataclass(frozen=True)
class ClientFacts:
    """What the auto-task rules look at for one client, as of now."""

    client: ClientLine
    created_at: datetime | None
    oldest_overdue_days: float | None
    last_contact_at: datetime | None
    latest: ScoreRecord | None
    previous: ScoreRecord | None
    risk_turned_high_at: datetime | None
    # rule → when the client's last task of that rule was created, or finished if it was
    last_task_at: dict[str, datetime] = field(default_factory=dict)


class AutoTaskStore(Protocol):
    async def facts(self, *, now: datetime, rules: Iterable[str]) -> Sequence[ClientFacts]:
        """Every client's facts for the rules, with the last task of each rule."""
        ...

    async def add(self, task: Task) -> Task | None:
        """Insert an auto-task; None when the client already has an open one of its rule
        (a unique index in the database says so, not only this code)."""
        ...
