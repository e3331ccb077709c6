"""Risk alerts (CONTRACT §4.5): a client's risk score rising to ``alert_at`` or more from
below tells its owner once; no new alert until it has dropped below ``rearm_below``.

The kept scores are the history (one row per client and day, refreshed by the ``scores``
job), and ``risk_alert_state`` keeps the hysteresis per client: disarmed by a
compare-and-set when an alert is raised (so concurrent cycles raise it once), armed again
below ``rearm_below``. A client never seen counts as below. At most ``max_per_day`` alerts
a user a local day go out as messages; the rest are recorded as folded and the digest
shows them; one raised in the owner's quiet hours is held until they end. A cycle reads
the scores only when they changed since the last one, and wakes the alerts whose 7-day
snooze (or quiet hours) is over, if the client's risk is still at the threshold.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from domain.model import AuditEntry, Surface
from domain.ports import UnitOfWork, UnitOfWorkFactory
from domain.ports_chat import Notifier
from domain.scores.record import ScoreRecord
from domain.services.identity import zone
from domain.services.reminders import quiet_until
from domain.services.risk_alert_cards import alert_card

logger = logging.getLogger(__name__)

SYSTEM = "crmbot"
MARK = "risk-alerts"


@dataclass(frozen=True)
class RiskSettings:
    alert_at: int = 60
    rearm_below: int = 50
    max_per_day: int = 5
    default_tz: str = "UTC"


async def run_risk_alerts(
    uows: UnitOfWorkFactory, *, notifier: Notifier, settings: RiskSettings, now: datetime
) -> Mapping[str, int]:
    counts = dict.fromkeys(("woken", "sent", "folded", "held", "muted", "no_owner", "rearmed"), 0)
    await _wake_snoozed(uows, notifier, settings, now=now, counts=counts)
    today = now.astimezone(UTC).date()
    async with uows() as uow:
        computed = await uow.scores.computed_at(as_of=today) or await uow.scores.computed_at(
            as_of=today - timedelta(days=1)
        )
        mark = computed.isoformat() if computed else "none"
        if await uow.risk_alerts.marked(MARK) == mark:
            counts["scores_unchanged"] = 1
            return counts
        kept = await uow.scores.latest_two(on_or_before=today)
        latest = {client_id: pair[0] for client_id, pair in kept.items()}
        armed = await uow.risk_alerts.armed(latest)
        rearm = [c for c, r in latest.items() if r.risk_score < settings.rearm_below
                 and armed.get(c) is False]  # fmt: skip
        counts["rearmed"] = await uow.risk_alerts.rearm(rearm, now=now)
        await uow.commit()
    for client_id, record in latest.items():
        if record.risk_score >= settings.alert_at and armed.get(client_id, True):
            async with uows() as uow:
                status = await raise_alert(uow, notifier, settings, record, now=now)
                await uow.commit()
            if status:
                counts[status] += 1
    async with uows() as uow:  # only now: a cycle cut short is redone by the next one
        await uow.risk_alerts.mark(MARK, value=mark, now=now)
        await uow.commit()
    return counts


async def raise_alert(
    uow: UnitOfWork,
    notifier: Notifier,
    settings: RiskSettings,
    record: ScoreRecord,
    *,
    now: datetime,
    woken: bool = False,
    again: bool = False,
) -> str | None:
    """Record one rise (once: the state's compare-and-set) and tell the owner if allowed;
    the status it got, or None when another cycle had raised it. ``woken``: a snoozed or
    held alert whose time has come (its rise was claimed when first raised); ``again``: it
    was snoozed, so the message says the risk is *still* high."""
    if not woken and not await uow.risk_alerts.disarm(
        record.client_id, score=record.risk_score, now=now
    ):
        return None
    client = (await uow.digests.clients([record.client_id])).get(record.client_id)
    owner = client.owner_slack_user_id if client else None
    status, until = await _status(uow, settings, owner, now=now)
    factors = [f.to_json() for f in record.factors if f.kind != "contact"][:5]
    alert_id = await uow.risk_alerts.add(
        record.client_id, owner=owner, score=record.risk_score, factors=factors,
        status=status, now=now,
    )  # fmt: skip
    await uow.audit.add(
        AuditEntry(
            actor=SYSTEM, surface=Surface.SCHEDULER, action="risk_alert.raised",
            entity_type="client", entity_id=record.client_external_id,
            details={"client_external_id": record.client_external_id, "owner": owner,
                     "risk_score": record.risk_score, "status": status, "alert_id": alert_id,
                     "after_snooze": again,
                     "held_until": until.isoformat() if until else None},
            at=now,
        )
    )  # fmt: skip
    if status == "held" and until is not None:  # quiet hours: woken when they end
        await uow.risk_alerts.snooze(alert_id, until=until, now=now)
    if status == "sent" and owner is not None:
        alert = await uow.risk_alerts.get(alert_id)
        assert alert is not None
        card = alert_card(alert, again=again)
        await notifier.notify(uow, to=owner, card=card, key=f"risk-alert:{alert_id}", now=now)
    return status


async def _status(uow: UnitOfWork, settings: RiskSettings, owner: str | None, *,
                  now: datetime) -> tuple[str, datetime | None]:  # fmt: skip
    """sent, folded (over the day's cap), held (quiet hours, until when), muted, no_owner."""
    if owner is None:
        return "no_owner", None
    prefs = await uow.preferences.get(owner)
    if prefs.alerts.get("risk") is False:
        return "muted", None
    user = await uow.users.get(owner)
    tz = zone(user.timezone if user else None, settings.default_tz)
    until = quiet_until(prefs, now=now, tz=tz)
    if until is not None:
        return "held", until
    if await uow.risk_alerts.take_quota(owner, now.astimezone(tz).date(), cap=settings.max_per_day):
        return "sent", None
    return "folded", None


async def _wake_snoozed(
    uows: UnitOfWorkFactory,
    notifier: Notifier,
    settings: RiskSettings,
    *,
    now: datetime,
    counts: dict[str, int],
) -> None:
    """A snooze that is over: alert again if the client's risk is still at the threshold."""
    async with uows() as uow:
        due = await uow.risk_alerts.snoozes_due(now=now)
    for alert in due:
        async with uows() as uow:
            if not await uow.risk_alerts.wake(alert.id, now=now):
                continue
            record = await uow.scores.latest(alert.client.client_id, on_or_before=now.date())
            if record is not None and record.risk_score >= settings.alert_at:
                status = await raise_alert(uow, notifier, settings, record, now=now,
                                           woken=True, again=alert.status != "held")  # fmt: skip
                counts["woken"] += 1
                if status:
                    counts[status] += 1
            await uow.commit()
