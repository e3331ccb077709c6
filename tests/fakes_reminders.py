"""An in-memory ``ReminderStore`` over the fake unit of work's tables (tests/fakes.py).

A task's reminder state sits beside the fake tables and commits or rolls back with them.
A task with no entry is reminded at its due time while open, as a new SQL row is.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from domain.model import Task, TaskStatus, UserPreferences
from domain.ports_reminders import DueReminder, ReminderStore


@dataclass
class _Reminder:
    remind_at: datetime | None
    lease_until: datetime | None = None
    reminded_at: datetime | None = None


class FakeReminderStore(ReminderStore):
    def __init__(self, txn: Any) -> None:
        self._txn = txn

    @property
    def _state(self) -> dict[int, _Reminder]:
        state: dict[int, _Reminder] = self._txn.tables.__dict__.setdefault("reminders", {})
        return state

    def _of(self, task: Task) -> _Reminder:
        assert task.id is not None
        default = task.due_at if task.status == TaskStatus.OPEN else None
        return self._state.setdefault(task.id, _Reminder(default))

    async def claim_due(
        self, *, now: datetime, limit: int, lease: timedelta
    ) -> Sequence[DueReminder]:
        due = []
        for task in self._txn.tables.tasks.values():
            r = self._of(task)
            free = r.lease_until is None or r.lease_until < now
            if task.status == TaskStatus.OPEN and r.remind_at and r.remind_at <= now and free:
                due.append((r.remind_at, task.id, task, r))
        due.sort(key=lambda d: (d[0], d[1]))
        claimed = []
        for remind_at, _, task, r in due[: max(limit, 0)]:
            r.lease_until = now + lease
            claimed.append(self._due(task, remind_at))
        return claimed

    def _due(self, task: Task, remind_at: datetime) -> DueReminder:
        tables = self._txn.tables
        user = tables.users[task.assignee_slack_user_id]
        client = next((c for c in tables.clients.values() if c.id == task.client_id), None)
        return DueReminder(
            task=copy.deepcopy(task),
            remind_at=remind_at,
            assignee_tz=tables.slack_timezones.get(user.slack_user_id) or user.timezone,
            client_name=client.name if client else None,
        )

    async def mark_reminded(self, task_id: int, *, claimed: datetime, now: datetime) -> bool:
        r = self._state.get(task_id)
        if r is None or r.remind_at != claimed:
            return False
        r.remind_at, r.lease_until, r.reminded_at = None, None, now
        return True

    async def hold(self, task_id: int, *, claimed: datetime, until: datetime) -> bool:
        r = self._state.get(task_id)
        if r is None or r.remind_at != claimed:
            return False
        r.remind_at, r.lease_until = until, None
        return True

    async def remind_at(self, task_id: int) -> datetime | None:
        task = self._txn.tables.tasks.get(task_id)
        if task is None or task.status != TaskStatus.OPEN:
            return None
        return self._of(task).remind_at

    async def snooze(self, task_id: int, *, until: datetime) -> bool:
        task = self._txn.tables.tasks.get(task_id)
        if task is None or task.status != TaskStatus.OPEN:
            return False
        r = self._of(task)
        r.remind_at, r.lease_until = until, None
        return True

    async def saved_preferences(self, slack_user_id: str) -> UserPreferences | None:
        return copy.deepcopy(self._txn.tables.preferences.get(slack_user_id))
