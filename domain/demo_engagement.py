"""Demo activities (calls, emails, meetings, notes) and manual tasks for each client."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from domain.demo_types import DemoActivity, DemoTask
from domain.demo_util import DAY, business_time, days_ago
from domain.demo_words import ACTIVITY_NOTES, FIRST_NAMES, LAST_NAMES, TASK_TITLES, WEEKDAYS
from domain.model import ActivityType, Client, Surface, TaskStatus, User

ACTIVITY_COUNTS = {"regular": (1, 6), "new": (1, 4), "drifting": (0, 2), "one_time": (0, 1)}
TYPE_WEIGHTS = {
    ActivityType.CALL: 0.35,
    ActivityType.EMAIL: 0.35,
    ActivityType.MEETING: 0.15,
    ActivityType.NOTE: 0.15,
}
SOURCES = (Surface.SLASH, Surface.MODAL, Surface.SHORTCUT)
SOURCE_WEIGHTS = (0.6, 0.25, 0.15)
TASK_CHANCE = 0.4
TASK_STATES = ("done", "overdue", "today", "upcoming")
TASK_STATE_WEIGHTS = (0.45, 0.2, 0.1, 0.25)


class Engagement:
    """Writes one client's activities and tasks; knows the team for managers and zones."""

    def __init__(self, rng: random.Random, *, users: list[User], now: datetime) -> None:
        self.rng = rng
        self.now = now
        self.users = {user.slack_user_id: user for user in users}

    def activities(self, client: Client, *, kind: str, category: str) -> list[DemoActivity]:
        rng = self.rng
        low, high = ACTIVITY_COUNTS[kind]
        contact = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        # Drifting clients were last talked to long ago; nobody talks to a new client earlier
        # than it existed.
        newest = 150.0 if kind == "drifting" else 0.0
        oldest = max(min(365.0, self._age_days(client)), newest)
        result = []
        for _ in range(rng.randint(low, high)):
            occurred = business_time(rng, days_ago(rng, self.now, newest, oldest))
            result.append(
                self._activity(client, min(occurred, self.now), contact=contact, category=category)
            )
        result.sort(key=lambda activity: activity.occurred_at)
        return result

    def _activity(
        self, client: Client, occurred: datetime, *, contact: str, category: str
    ) -> DemoActivity:
        rng, owner = self.rng, client.owner_slack_user_id
        source = rng.choices(SOURCES, SOURCE_WEIGHTS)[0]
        activity_type = rng.choices(list(TYPE_WEIGHTS), list(TYPE_WEIGHTS.values()))[0]
        template = rng.choice(ACTIVITY_NOTES[activity_type.value])
        return DemoActivity(
            client_external_id=client.external_id,
            type=activity_type,
            notes=template.format(contact=contact, category=category, day=rng.choice(WEEKDAYS)),
            occurred_at=occurred,
            author_slack_user_id=owner if rng.random() < 0.9 else self._manager_of(owner),
            source=source,
            permalink=self._permalink(occurred) if source is Surface.SHORTCUT else None,
            created_at=min(occurred + timedelta(minutes=rng.randint(1, 120)), self.now),
        )

    def tasks(self, client: Client, *, category: str) -> list[DemoTask]:
        rng, owner = self.rng, client.owner_slack_user_id
        if owner is None or rng.random() >= TASK_CHANCE:
            return []
        contact = rng.choice(FIRST_NAMES)
        result = []
        for _ in range(rng.randint(1, 2)):
            state = rng.choices(TASK_STATES, TASK_STATE_WEIGHTS)[0]
            task = DemoTask(
                title=rng.choice(TASK_TITLES).format(contact=contact, category=category),
                assignee_slack_user_id=owner,
                due_at=self.now,
                client_external_id=client.external_id,
                created_by_slack_user_id=owner if rng.random() < 0.8 else self._manager_of(owner),
            )
            self._schedule(task, state)
            result.append(task)
        return result

    def _schedule(self, task: DemoTask, state: str) -> None:
        rng, now = self.rng, self.now
        zone = self._zone_of(task.assignee_slack_user_id)
        hour = rng.choice((9, 12, 17))
        if state in ("done", "overdue"):
            back = rng.randint(1, 120) if state == "done" else rng.randint(1, 21)
            task.due_at = _local(now, zone, days=-back, hour=hour)
        elif state == "today":
            task.due_at = _local(now, zone, days=0, hour=rng.randint(9, 17))
        else:
            task.due_at = _local(now, zone, days=rng.randint(1, 14), hour=9)
        created = min(task.due_at - _hours(rng, 24, 240), now - _hours(rng, 0.2, 48))
        task.created_at = created
        if state == "done":
            task.status = TaskStatus.DONE
            done = max(task.due_at + _hours(rng, -24, 120), created + _hours(rng, 0.2, 24))
            task.completed_at = min(done, now)

    def _zone_of(self, slack_id: str) -> ZoneInfo:
        user = self.users.get(slack_id)
        return _zone(user.timezone if user and user.timezone else "UTC")

    def _manager_of(self, slack_id: str | None) -> str | None:
        user = self.users.get(slack_id or "")
        return user.manager_slack_user_id if user and user.manager_slack_user_id else slack_id

    def _age_days(self, client: Client) -> float:
        created = client.created_at or self.now - 365 * DAY
        return max((self.now - created).total_seconds() / 86_400, 0.0)

    def _permalink(self, moment: datetime) -> str:
        return f"https://demo.slack.com/archives/C0DEMO/p{int(moment.timestamp())}000000"


def _local(now: datetime, zone: ZoneInfo, *, days: int, hour: int) -> datetime:
    """``hour`` o'clock, ``days`` after today in ``zone``, as UTC."""
    local_day = (now.astimezone(zone) + days * DAY).date()
    local = datetime(local_day.year, local_day.month, local_day.day, hour, tzinfo=zone)
    return local.astimezone(UTC)


def _hours(rng: random.Random, low: float, high: float) -> timedelta:
    """A random span of whole seconds."""
    return timedelta(seconds=int(rng.uniform(low, high) * 3600))


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)
