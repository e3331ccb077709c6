"""The morning digest (CONTRACT §4.5): from the digest hour in each user's own zone, on
their working days, one direct message a user a local day.

A cycle looks at every user's local clock; a user whose hour has come today and whose
digest of that local date is not claimed yet gets one: the claims (a row unique per user
and local date) and the outbox messages (key ``digest:{user}:{date}``) of a batch of users
are written in one transaction, so several processes never send one twice and a crash
sends them on the next cycle. A day with no cycle after the hour is not caught up; a user
with nothing to report is claimed and gets nothing.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from domain.cards import Card, info_card
from domain.crashpoints import crash_point
from domain.ports import UnitOfWork, UnitOfWorkFactory
from domain.ports_alerts import Recipient
from domain.ports_chat import Notifier
from domain.services.digest_content import DigestData, digest_card
from domain.services.digest_gather import Approvals, gather_many
from domain.services.identity import zone

logger = logging.getLogger(__name__)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
BATCH = 50  # digests claimed, built and queued per transaction


@dataclass(frozen=True)
class DigestSettings:
    hour: int = 8  # the policy file's [digest], for users who saved no settings
    days: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri")
    default_tz: str = "UTC"


def due_date(user: Recipient, settings: DigestSettings, *, now: datetime) -> date | None:
    """The local date whose digest ``user`` is due at ``now``, or None."""
    prefs = user.preferences
    if prefs is not None and prefs.alerts.get("digest") is False:
        return None
    hour = prefs.digest_hour if prefs is not None else settings.hour
    days = prefs.digest_days if prefs is not None else settings.days
    local = now.astimezone(zone(user.timezone, settings.default_tz))
    if WEEKDAYS[local.weekday()] not in days or local.hour < hour:
        return None
    return local.date()


class DigestService:
    def __init__(
        self,
        uows: UnitOfWorkFactory,
        *,
        notifier: Notifier,
        settings: DigestSettings,
        approvals: Approvals = lambda: None,
    ) -> None:
        self.uows, self.notifier, self.settings = uows, notifier, settings
        self._approvals = approvals

    async def run_cycle(self, *, now: datetime) -> Mapping[str, int]:
        """One cycle: every user whose digest is due and unclaimed gets it (or nothing)."""
        async with self.uows() as uow:
            users = await uow.digests.recipients()
            due = {u.slack_user_id: d for u in users if (d := due_date(u, self.settings, now=now))}
            claimed = await uow.digests.claimed_on(set(due.values()))
        todo = [u for u in users if u.slack_user_id in due
                and (u.slack_user_id, due[u.slack_user_id]) not in claimed]  # fmt: skip
        counts = {"due": len(todo), "sent": 0, "empty": 0, "claimed_elsewhere": 0, "failed": 0}
        for start in range(0, len(todo), BATCH):
            batch = todo[start : start + BATCH]
            try:
                for outcome, n in (await self._batch(batch, users, due, now=now)).items():
                    counts[outcome] += n
            except Exception:  # the batch's claims roll back with it: the next cycle retries
                logger.exception("digest batch of %d failed; retried next cycle", len(batch))
                counts["failed"] += len(batch)
        return counts

    async def _batch(
        self,
        batch: Sequence[Recipient],
        users: Sequence[Recipient],
        due: Mapping[str, date],
        *,
        now: datetime,
    ) -> Counter[str]:
        """Claim the batch's digests, queue those with something to say, in one transaction."""
        outcomes: Counter[str] = Counter()
        async with self.uows() as uow:
            claims = [(u.slack_user_id, due[u.slack_user_id]) for u in batch]
            mine = await uow.digests.claim_many(claims, now=now)
            crash_point("digest.after_claim")
            outcomes["claimed_elsewhere"] = len(batch) - len(mine)
            ours = [u for u in batch if u.slack_user_id in mine]
            found = await self._gather(uow, ours, users, now=now)
            results = []
            for user in ours:
                me, data = user.slack_user_id, found[user.slack_user_id]
                if data.items:
                    key = f"digest:{me}:{due[me].isoformat()}"
                    await self.notifier.notify(uow, to=me, card=digest_card(data), key=key, now=now)
                outcomes["sent" if data.items else "empty"] += 1
                results.append((me, due[me], data.items))
            await uow.digests.record_many(results, now=now)
            await uow.commit()
        crash_point("digest.after_commit")
        return outcomes

    async def send_now(self, uow: UnitOfWork, slack_user_id: str, *, now: datetime) -> Card:
        """``/crm digest``: the digest as of now, by direct message; the reply says so."""
        users = await uow.digests.recipients()
        user = [u for u in users if u.slack_user_id == slack_user_id]
        data = (await self._gather(uow, user, users, now=now)).get(slack_user_id)
        if data is None or not data.items:
            return info_card(":sunny: Nothing to report right now, so no digest was sent.")
        key = f"digest:{slack_user_id}:now:{now.isoformat(timespec='seconds')}"
        await self.notifier.notify(uow, to=slack_user_id, card=digest_card(data), key=key, now=now)
        return info_card(":envelope: Your digest is on its way — check your DMs from crmbot.")

    async def _gather(
        self,
        uow: UnitOfWork,
        batch: Sequence[Recipient],
        users: Sequence[Recipient],
        *,
        now: datetime,
    ) -> dict[str, DigestData]:
        return await gather_many(
            uow, batch, users, now=now, default_tz=self.settings.default_tz,
            approvals=self._approvals,
        )  # fmt: skip
