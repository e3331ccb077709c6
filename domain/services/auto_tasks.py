"""Auto-tasks (CONTRACT §4.5): follow-ups the CRM's rules create for a client's owner.

Once an hour (a compare-and-set mark, so several processes do not all scan) every client's
facts are read in a few grouped queries and each enabled rule is checked
(``auto_tasks_rules``). A task goes to the client's owner (no owner, or an owner who turned
auto-tasks off in ``/crm settings``: skipped, counted),
with ``origin`` auto-rule and its rule's name, due the owner's next working day at 09:00.
The database keeps at most one open task per client and rule (a partial unique index);
``again_after_days`` keeps a finished one from coming straight back. Each is audited.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from domain.dates import next_working_day_9am
from domain.model import AuditEntry, Surface, Task, TaskOrigin
from domain.ports import UnitOfWork, UnitOfWorkFactory
from domain.ports_alerts import ClientFacts
from domain.services.auto_tasks_rules import RULES, RuleSettings, reasons
from domain.services.identity import zone

logger = logging.getLogger(__name__)

SYSTEM = "crmbot"
MARK = "auto-tasks"
COMMIT_EVERY = 200


async def run_auto_tasks(
    uows: UnitOfWorkFactory,
    *,
    rules: Mapping[str, RuleSettings],
    default_tz: str,
    now: datetime,
) -> Mapping[str, int]:
    hour = now.astimezone(UTC).strftime("%Y-%m-%dT%H")
    enabled = {name: s for name, s in rules.items() if s.enabled}
    async with uows() as uow:
        if not await uow.risk_alerts.mark(MARK, value=hour, now=now):
            return {"ran_this_hour_already": 1}
        await uow.commit()
    async with uows() as uow:
        facts = await uow.auto_tasks.facts(now=now, rules=list(enabled))
        people = await uow.digests.recipients()
    zones = {u.slack_user_id: u.timezone for u in people}
    # an owner who switched auto-tasks off in /crm settings gets none
    off = {
        u.slack_user_id
        for u in people
        if u.preferences is not None and u.preferences.alerts.get("auto_tasks") is False
    }
    counts: Counter[str] = Counter()
    pending = [(f, rule, why) for f in facts for rule, why in reasons(f, enabled, now=now).items()]
    for start in range(0, len(pending), COMMIT_EVERY):
        async with uows() as uow:
            for client_facts, rule, why in pending[start : start + COMMIT_EVERY]:
                if client_facts.client.owner_slack_user_id in off:
                    counts["skipped_owner_opted_out"] += 1
                    continue
                outcome = await _create(uow, client_facts, rule, why, enabled[rule],
                                        zones=zones, default_tz=default_tz, now=now)  # fmt: skip
                counts[outcome] += 1
            await uow.commit()
    logger.info("auto-tasks at %s: %s", now.isoformat(), dict(counts))
    return {"checked_clients": len(facts), **counts}


async def _create(
    uow: UnitOfWork,
    facts: ClientFacts,
    rule: str,
    why: str,
    settings: RuleSettings,
    *,
    zones: Mapping[str, str | None],
    default_tz: str,
    now: datetime,
) -> str:
    owner = facts.client.owner_slack_user_id
    if owner is None:
        return "skipped_no_owner"
    last = facts.last_task_at.get(rule)
    if last is not None and now - last < timedelta(days=settings.again_after_days):
        return "skipped_recent"
    if rule == "retention" and last is not None and facts.risk_turned_high_at is not None:
        if last >= facts.risk_turned_high_at:
            return "skipped_recent"  # this rise already has its retention task
    due = next_working_day_9am(now=now, tz=zone(zones.get(owner), default_tz))
    task = await uow.auto_tasks.add(
        Task(title=RULES[rule].title, assignee_slack_user_id=owner, due_at=due,
             client_id=facts.client.client_id, origin=TaskOrigin.AUTO_RULE, rule=rule,
             created_at=now)
    )  # fmt: skip
    if task is None:
        return "skipped_open"
    await uow.audit.add(
        AuditEntry(
            actor=SYSTEM, surface=Surface.SCHEDULER, action="task.auto_created",
            entity_type="task", entity_id=str(task.id), at=now,
            details={"client_external_id": facts.client.external_id, "rule": rule,
                     "reason": why, "assignee": owner, "due_at": due.isoformat(),
                     "title": task.title},
        )
    )  # fmt: skip
    return f"created_{rule}"
