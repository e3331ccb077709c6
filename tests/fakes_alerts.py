"""In-memory ``DigestStore``, ``RiskAlertStore`` and ``AutoTaskStore`` over the fake unit of
work's tables (tests/fakes.py). Their own state lives beside those tables, so it commits
and rolls back with them; tests/integration/test_digest_store_contract.py holds them and
the SQL stores to the same assertions."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from domain.model import Activity, Task, TaskStatus
from domain.ports_alerts import ClientFacts, ClientLine, Recipient, Reorder, RiskAlert
from tests.fakes_scores import FakeScoreStore

HALF_CENT = 0.005


class _Extra:
    def __init__(self, txn: Any) -> None:
        self._txn = txn

    @property
    def _t(self) -> Any:
        return self._txn.tables

    def _table(self, name: str) -> Any:
        return self._t.__dict__.setdefault(name, {})

    def _line(self, client_id: int, owner: str | None = None) -> ClientLine:
        c = next(c for c in self._t.clients.values() if c.id == client_id)
        return ClientLine(client_id, c.external_id, c.name, owner)

    def _client_ids_of(self, owner: str) -> set[int]:
        return {c.id for c in self._t.clients.values() if c.owner_slack_user_id == owner}


class FakeDigestStore(_Extra):
    async def recipients(self) -> Sequence[Recipient]:
        users = sorted(self._t.users.values(), key=lambda u: u.id)
        return [
            Recipient(u.slack_user_id, u.name,
                      self._t.slack_timezones.get(u.slack_user_id) or u.timezone,
                      u.manager_slack_user_id,
                      copy.deepcopy(self._t.preferences.get(u.slack_user_id)))
            for u in users
        ]  # fmt: skip

    async def claimed_on(self, local_dates: Iterable[date]) -> set[tuple[str, date]]:
        wanted = set(local_dates)
        return {key for key in self._table("digest_runs") if key[1] in wanted}

    async def claim_many(self, claims: Sequence[tuple[str, date]], *, now: datetime) -> set[str]:
        runs, mine = self._table("digest_runs"), set()
        for user, day in claims:
            if user in self._t.users and (user, day) not in runs:
                runs[(user, day)] = {"items": 0, "sent_at": None, "claimed_at": now}
                mine.add(user)
        return mine

    async def record_many(self, results: Sequence[tuple[str, date, int]], *, now: datetime) -> None:
        for user, day, items in results:
            run = self._table("digest_runs").get((user, day))
            if run is not None:
                run.update(items=items, sent_at=now if items else None)

    async def last_sent_many(self, slack_user_ids: Iterable[str]) -> dict[str, datetime]:
        wanted, found = set(slack_user_ids), {}  # type: ignore[var-annotated]
        for (user, _), run in self._table("digest_runs").items():
            at = run["sent_at"]
            if user in wanted and at is not None and (user not in found or at > found[user]):
                found[user] = at
        return found

    async def activities_by_many(
        self, slack_user_ids: Iterable[str], *, since: datetime, until: datetime
    ) -> dict[str, list[tuple[Activity, ClientLine]]]:
        wanted = set(slack_user_ids)
        found: dict[str, list[tuple[Activity, ClientLine]]] = {}
        ordered = sorted(self._t.activities.values(), key=lambda a: (a.occurred_at, a.id))
        for a in ordered:
            author = a.author_slack_user_id
            if author in wanted and a.deleted_at is None and since <= a.occurred_at < until:
                found.setdefault(author, []).append((copy.deepcopy(a), self._line(a.client_id)))
        return found

    async def reorders_many(
        self, owners: Iterable[str], *, on_or_before: date
    ) -> dict[str, list[Reorder]]:
        found: dict[str, list[Reorder]] = {}
        for owner in sorted(set(owners)):
            mine = self._client_ids_of(owner)
            latest: dict[int, Any] = {}
            kept = self._t.__dict__.get("client_scores", {})
            for (client_id, day), record in sorted(kept.items(), key=lambda kv: kv[0][1]):
                if client_id in mine and day <= on_or_before:
                    latest[client_id] = record
            rows = [Reorder(self._line(c, owner), copy.deepcopy(r)) for c, r in latest.items()
                    if r.days_since_last_order is not None]  # fmt: skip
            if rows:
                found[owner] = sorted(rows, key=lambda r: (r.client.name, r.client.client_id))
        return found

    async def open_tasks_of(self, slack_user_ids: Iterable[str]) -> dict[str, list[Task]]:
        wanted, found = set(slack_user_ids), {}  # type: ignore[var-annotated]
        tasks = sorted(self._t.tasks.values(), key=lambda t: (t.due_at, t.id))
        for t in tasks:
            if t.assignee_slack_user_id in wanted and t.status == TaskStatus.OPEN:
                found.setdefault(t.assignee_slack_user_id, []).append(copy.deepcopy(t))
        return found

    async def clients(self, client_ids: Iterable[int]) -> dict[int, ClientLine]:
        wanted = set(client_ids)
        return {c.id: ClientLine(c.id, c.external_id, c.name, c.owner_slack_user_id)
                for c in self._t.clients.values() if c.id in wanted}  # fmt: skip


class FakeRiskAlertStore(_Extra):
    async def armed(self, client_ids: Iterable[int]) -> dict[int, bool]:
        state = self._table("risk_state")
        return {c: state[c]["armed"] for c in client_ids if c in state}

    async def disarm(self, client_id: int, *, score: int, now: datetime) -> bool:
        state = self._table("risk_state")
        if client_id in state and not state[client_id]["armed"]:
            return False
        state[client_id] = {"armed": False, "score": score, "at": now}
        return True

    async def rearm(self, client_ids: Iterable[int], *, now: datetime) -> int:
        state, done = self._table("risk_state"), 0
        for c in set(client_ids):
            if c in state and not state[c]["armed"]:
                state[c].update(armed=True, at=now)
                done += 1
        return done

    async def add(self, client_id: int, *, owner: str | None, score: int,
                  factors: list[dict[str, Any]], status: str, now: datetime) -> int:  # fmt: skip
        alerts = self._table("risk_alerts")
        new_id = self._txn.next_id("risk_alerts")
        alerts[new_id] = RiskAlert(new_id, self._line(client_id, owner), owner, score,
                                   copy.deepcopy(factors), now, status)  # fmt: skip
        return new_id

    async def take_quota(self, slack_user_id: str, local_date: date, *, cap: int) -> bool:
        quota = self._table("risk_quota")
        key = (slack_user_id, local_date)
        if slack_user_id not in self._t.users or quota.get(key, 0) >= cap:
            return False
        quota[key] = quota.get(key, 0) + 1
        return True

    async def get(self, alert_id: int) -> RiskAlert | None:
        return copy.deepcopy(self._table("risk_alerts").get(alert_id))

    async def for_owners(
        self, owners: Iterable[str], *, since: datetime
    ) -> dict[str, list[RiskAlert]]:
        wanted, found = set(owners), {}  # type: ignore[var-annotated]
        alerts = sorted(self._table("risk_alerts").values(), key=lambda a: (a.raised_at, a.id))
        for a in alerts:
            if a.owner_slack_user_id in wanted and a.raised_at > since:
                found.setdefault(a.owner_slack_user_id, []).append(copy.deepcopy(a))
        return found

    def _change(self, alert_id: int, ok: Any, **changes: Any) -> bool:
        alerts = self._table("risk_alerts")
        found = alerts.get(alert_id)
        if found is None or not ok(found):
            return False
        alerts[alert_id] = replace(found, **changes)
        return True

    async def snooze(self, alert_id: int, *, until: datetime, now: datetime) -> bool:
        free = lambda a: a.snoozed_until is None and a.handled_at is None  # noqa: E731
        return self._change(alert_id, free, snoozed_until=until)

    async def handle(self, alert_id: int, *, now: datetime) -> bool:
        return self._change(alert_id, lambda a: a.handled_at is None, handled_at=now)

    async def snoozes_due(self, *, now: datetime) -> Sequence[RiskAlert]:
        found = [a for a in self._table("risk_alerts").values()
                 if a.snoozed_until is not None and a.snoozed_until <= now
                 and a.handled_at is None]  # fmt: skip
        return copy.deepcopy(sorted(found, key=lambda a: (a.snoozed_until, a.id)))

    async def wake(self, alert_id: int, *, now: datetime) -> bool:
        due = lambda a: a.snoozed_until is not None and a.snoozed_until <= now  # noqa: E731
        return self._change(alert_id, lambda a: due(a) and a.handled_at is None, handled_at=now)

    async def marked(self, name: str) -> str | None:
        value: str | None = self._table("job_marks").get(name)
        return value

    async def mark(self, name: str, *, value: str, now: datetime) -> bool:
        marks = self._table("job_marks")
        if marks.get(name) == value:
            return False
        marks[name] = value
        return True


class FakeAutoTaskStore(_Extra):
    async def facts(self, *, now: datetime, rules: Iterable[str]) -> Sequence[ClientFacts]:
        t, wanted = self._t, set(rules)
        kept = await FakeScoreStore(self._txn).latest_two(on_or_before=now.astimezone(UTC).date())
        alerts = self._table("risk_alerts").values()
        found = []
        for c in sorted(t.clients.values(), key=lambda c: c.id):
            contacts = [
                a.occurred_at
                for a in t.activities.values()
                if a.client_id == c.id and a.deleted_at is None and a.occurred_at <= now
            ]
            risen = [
                a.raised_at
                for a in alerts
                if a.client.client_id == c.id and a.raised_at > now - timedelta(days=90)
            ]
            latest, previous = kept.get(c.id, (None, None))  # fmt: skip
            found.append(ClientFacts(
                client=ClientLine(c.id, c.external_id, c.name, c.owner_slack_user_id),
                created_at=c.created_at, oldest_overdue_days=self._overdue(c.external_id, now),
                last_contact_at=max(contacts, default=None), latest=latest, previous=previous,
                risk_turned_high_at=max(risen, default=None),
                last_task_at=self._last_tasks(c.id, wanted),
            ))  # fmt: skip
        return found

    def _overdue(self, external_id: str, now: datetime) -> float | None:
        oldest = None
        for inv in self._t.invoices.values():
            if inv.client_external_id != external_id or inv.due_at > now or inv.issued_at > now:
                continue
            payments = self._t.payments.values()
            paid = sum(
                p.amount
                for p in payments
                if p.invoice_external_id == inv.external_id and p.paid_at <= now
            )
            if float(inv.amount - paid) > HALF_CENT and (oldest is None or inv.due_at < oldest):
                oldest = inv.due_at
        return None if oldest is None else (now - oldest).total_seconds() / 86_400

    def _last_tasks(self, client_id: int, rules: set[str]) -> dict[str, datetime]:
        last: dict[str, datetime] = {}
        for task in self._t.tasks.values():
            if task.client_id == client_id and task.rule in rules:
                at = task.completed_at or task.created_at
                if task.rule not in last or at > last[task.rule]:
                    last[task.rule] = at
        return last

    async def add(self, task: Task) -> Task | None:
        from tests.fakes import FakeTaskRepository

        if task.rule is not None and any(
            t.client_id == task.client_id and t.rule == task.rule and t.status == TaskStatus.OPEN
            for t in self._t.tasks.values()
        ):
            return None
        return await FakeTaskRepository(self._txn).add(task)
