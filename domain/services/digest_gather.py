"""What a batch of users' digests report, read with a few set-based queries for the batch
(tasks, clients, alerts, reorders, yesterday's activity) and one call per user to the
approvals port, which owns what its blocks say."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.model import Task
from domain.ports import UnitOfWork
from domain.ports_alerts import ClientLine, Recipient, Reorder
from domain.ports_approvals import WaitingApprovals, WaitingSection
from domain.services.auto_tasks_rules import window_opens
from domain.services.digest_content import DigestData, TeamLine
from domain.services.identity import zone

REORDER_DAYS = 3
APPROVALS_SHOWN = 3
RISK_LOOKBACK = timedelta(days=7)  # a first digest shows the alerts of the last week

Approvals = Callable[[], WaitingApprovals | None]


async def gather_many(
    uow: UnitOfWork,
    batch: Sequence[Recipient],
    users: Sequence[Recipient],
    *,
    now: datetime,
    default_tz: str,
    approvals: Approvals,
) -> dict[str, DigestData]:
    """Each batch user's digest data as of ``now`` (``users``: everyone, for the teams)."""
    ids = [u.slack_user_id for u in batch]
    reports = {m: [u.slack_user_id for u in users if u.manager_slack_user_id == m] for m in ids}
    tasks = await uow.digests.open_tasks_of({*ids, *(r for rs in reports.values() for r in rs)})
    sent = await uow.digests.last_sent_many(ids)
    oldest = min([*sent.values(), now - RISK_LOOKBACK])
    alerts = await uow.risk_alerts.for_owners(ids, since=oldest)
    reorders = await uow.digests.reorders_many(ids, on_or_before=now.astimezone(UTC).date())
    activity = await uow.digests.activities_by_many(
        ids, since=now - timedelta(days=3), until=now + timedelta(days=1)
    )
    found: dict[str, DigestData] = {}
    for user in batch:
        me, tz = user.slack_user_id, zone(user.timezone, default_tz)
        data = _mine(tasks.get(me, []), tz, now)
        since = sent.get(me) or now - RISK_LOOKBACK
        data.risks = [a for a in alerts.get(me, []) if a.raised_at > since]
        data.reorders = _opening(reorders.get(me, []), now.astimezone(tz).date())
        start, until = _yesterday(now, tz)
        data.activity = [(a, c) for a, c in activity.get(me, []) if start <= a.occurred_at < until]
        data.team = _team(reports[me], tasks, now=now, end=_day_end(now, tz))
        data.approvals = await _waiting(approvals, uow, me, now=now)
        data.approvals_shown = min(data.approvals.total, APPROVALS_SHOWN)
        found[me] = data
    ids_shown = {t.client_id for d in found.values() for t in d.overdue + d.due_today}
    lines = await uow.digests.clients(c for c in ids_shown if c is not None)
    for data in found.values():
        data.clients = lines
    return found


def _mine(tasks: list[Task], tz: ZoneInfo, now: datetime) -> DigestData:
    end = _day_end(now, tz)
    data = DigestData(tz=tz, now=now)
    data.overdue = [t for t in tasks if t.due_at < now]
    data.due_today = [t for t in tasks if now <= t.due_at < end]
    return data


def _opening(reorders: list[Reorder], today: date) -> list[tuple[ClientLine, date]]:
    found: list[tuple[ClientLine, date]] = []
    for reorder in reorders:
        opens = window_opens(reorder.kept)
        if opens is not None and today <= opens <= today + timedelta(days=REORDER_DAYS):
            found.append((reorder.client, opens))
    return sorted(found, key=lambda pair: pair[1])


def _team(
    reports: list[str], tasks: Mapping[str, list[Task]], *, now: datetime, end: datetime
) -> list[TeamLine]:
    lines = []
    for report in reports:
        mine = tasks.get(report, [])
        overdue = sum(1 for t in mine if t.due_at < now)
        today = sum(1 for t in mine if now <= t.due_at < end)
        if overdue or today:
            lines.append(TeamLine(report, overdue, today))
    return sorted(lines, key=lambda t: (-t.overdue, -t.due_today))


async def _waiting(
    approvals: Approvals, uow: UnitOfWork, me: str, *, now: datetime
) -> WaitingSection:
    port = approvals()
    if port is None:
        return WaitingSection()
    return await port.waiting_on(uow, me, now=now, limit=APPROVALS_SHOWN)


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def _day_end(now: datetime, tz: ZoneInfo) -> datetime:
    return _midnight(now.astimezone(tz).date() + timedelta(days=1), tz)


def _yesterday(now: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    today = now.astimezone(tz).date()
    return _midnight(today - timedelta(days=1), tz), _midnight(today, tz)
