"""Ports the reminders need beyond ``domain/ports.py``: a task's next reminder time.

A task's reminder lives on the task row (``tasks.remind_at``): set to the due time when
the task is created, cleared once the reminder is queued, set again by a snooze, moved
on by quiet hours. ``storage/repositories/reminders.py`` implements it on SQLAlchemy,
``tests/fakes_reminders.py`` in memory; tests/integration/test_reminders_store.py holds
both to one contract.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from domain.model import Task, UserPreferences
from domain.ports import UnitOfWork


@dataclass(frozen=True)
class DueReminder:
    """A claimed reminder: the task, the time it was due to remind, and whom to tell."""

    task: Task
    remind_at: datetime
    assignee_tz: str | None  # the zone Slack reports, else the imported one
    client_name: str | None = None


class ReminderStore(Protocol):
    async def claim_due(
        self, *, now: datetime, limit: int, lease: timedelta
    ) -> Sequence[DueReminder]:
        """Open tasks whose reminder is due (``remind_at <= now``) and not leased by
        another worker, earliest first, leased until ``now + lease``. On PostgreSQL the
        rows are locked (``FOR UPDATE SKIP LOCKED``): a concurrent claim skips them; on
        SQLite the conditional UPDATE is the claim. Settle each in the same transaction."""
        ...

    async def mark_reminded(self, task_id: int, *, claimed: datetime, now: datetime) -> bool:
        """Compare-and-set: the reminder due at ``claimed`` is queued; none is due now."""
        ...

    async def hold(self, task_id: int, *, claimed: datetime, until: datetime) -> bool:
        """Compare-and-set: the reminder due at ``claimed`` waits until ``until``."""
        ...

    async def remind_at(self, task_id: int) -> datetime | None:
        """When the task's next reminder is due; None when none is."""
        ...

    async def snooze(self, task_id: int, *, until: datetime) -> bool:
        """Set the next reminder of an open task to ``until``; False when not open."""
        ...

    async def saved_preferences(self, slack_user_id: str) -> UserPreferences | None:
        """The settings the user saved, or None when they never saved any (then the
        policy file's defaults apply, not the model's)."""
        ...


class RemindersUnitOfWork(UnitOfWork, Protocol):
    reminders: ReminderStore


class RemindersUnitOfWorkFactory(Protocol):
    def __call__(self) -> RemindersUnitOfWork: ...
