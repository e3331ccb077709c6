"""``/crm settings``: digest hour and days, quiet hours, and which alerts a user gets.

Until a user saves settings, the policy file's ``[digest]`` section gives the digest hour
and days (``effective``); quiet hours are off and every alert is on. ``alerts`` keys are
shared with the digest, risk-alert and auto-task jobs: a missing key means "on". ``platform``
says where direct messages go (``bot/notifier.py``): Slack, or Microsoft Teams once the user
has written to the bot there.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Protocol

from domain.cards import Card, Text
from domain.errors import CrmError
from domain.model import AuditEntry, Surface, UserPreferences
from domain.ports_reminders import RemindersUnitOfWork
from domain.ports_teams import TeamsUnitOfWork
from domain.teams import DEFAULT_PLATFORM, PLATFORMS

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_LABELS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
ALERTS = {
    "reminders": "Task reminders",
    "risk": "Risk alerts",
    "digest": "Morning digest",
    "auto_tasks": "Auto-created tasks",
}
PLATFORM_LABELS = {"slack": "Slack", "teams": "Microsoft Teams"}
_CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class SettingsUnitOfWork(RemindersUnitOfWork, TeamsUnitOfWork, Protocol):
    """Saving settings reads the saved ones and whether the user is reachable on Teams."""


@dataclass(frozen=True)
class DigestDefaults:
    """The policy file's ``[digest]``: what a user who saved nothing gets."""

    hour: int = 8
    days: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri")


@dataclass(frozen=True)
class SettingsForm:
    """What the settings modal submitted, unchecked."""

    digest_hour: str | None
    digest_days: Sequence[str]
    quiet_start: str | None
    quiet_end: str | None
    alerts_on: Sequence[str]
    platform: str | None = None  # None: the form did not offer the choice; keep it


class SettingsInvalid(CrmError, ValueError):
    """Field by field, what to fix; nothing was saved."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__(" ".join(errors.values()))


def wants(preferences: UserPreferences, alert: str) -> bool:
    """Whether the user gets ``alert`` ("reminders", "risk", "digest", "auto_tasks")."""
    return preferences.alerts.get(alert, True)


async def effective(
    uow: RemindersUnitOfWork, slack_user_id: str, *, defaults: DigestDefaults
) -> UserPreferences:
    """The user's saved settings, else the policy's digest defaults."""
    saved = await uow.reminders.saved_preferences(slack_user_id)
    if saved is not None:
        return saved
    return UserPreferences(
        slack_user_id, digest_hour=defaults.hour, digest_days=list(defaults.days)
    )


def validate(slack_user_id: str, form: SettingsForm) -> UserPreferences:
    """The settings to save, or SettingsInvalid naming each field to fix."""
    errors: dict[str, str] = {}
    hour = form.digest_hour or ""
    if not hour.isdigit() or not 0 <= int(hour) <= 23:
        errors["digest_hour"] = "Pick the hour your digest comes."
    alerts = {key: key in form.alerts_on for key in ALERTS}
    days = [d for d in DAYS if d in form.digest_days]
    if len(days) != len(set(form.digest_days)):
        errors["digest_days"] = "Pick days of the week only."
    elif alerts["digest"] and not days:
        errors["digest_days"] = "Pick at least one day, or turn the digest off below."
    start, end = form.quiet_start or None, form.quiet_end or None
    for field, value in (("quiet_start", start), ("quiet_end", end)):
        if value is not None and not _CLOCK.match(value):
            errors[field] = "Give a time as HH:MM, e.g. 22:00."
    if bool(start) != bool(end):
        missing = "quiet_end" if start else "quiet_start"
        errors.setdefault(missing, "Set both ends of quiet hours, or clear both.")
    elif start and start == end:
        errors.setdefault("quiet_end", "Quiet hours can't start and end at the same time.")
    if form.platform is not None and form.platform not in PLATFORMS:
        errors["platform"] = "Pick Slack or Microsoft Teams."
    if errors:
        raise SettingsInvalid(errors)
    platform = form.platform or DEFAULT_PLATFORM
    return UserPreferences(slack_user_id, int(hour), days, start, end, alerts, platform)


async def save(
    uow: SettingsUnitOfWork,
    slack_user_id: str,
    form: SettingsForm,
    *,
    defaults: DigestDefaults,
    surface: Surface,
    now: datetime,
) -> Card:
    """Check, save and audit (before and after); the card says what was saved."""
    after = validate(slack_user_id, form)
    before = await effective(uow, slack_user_id, defaults=defaults)
    if form.platform is None:
        after = replace(after, platform=before.platform)
    elif after.platform == "teams" and await uow.teams_refs.get(slack_user_id) is None:
        raise SettingsInvalid({"platform": TEAMS_FIRST})
    await uow.preferences.put(after, now=now)
    await uow.audit.add(
        AuditEntry(
            actor=slack_user_id,
            surface=surface,
            action="settings.saved",
            entity_type="user",
            entity_id=slack_user_id,
            details={"before": _details(before), "after": _details(after)},
            at=now,
        )
    )
    return saved_card(after)


TEAMS_FIRST = (
    "Write to crmbot in Microsoft Teams once (any command, in a chat with it), "
    "then pick Teams here."
)


def _details(preferences: UserPreferences) -> dict[str, object]:
    values = asdict(preferences)
    values.pop("slack_user_id")
    return values


def saved_card(p: UserPreferences) -> Card:
    days = _days(p.digest_days)
    digest = f"{p.digest_hour:02d}:00 on {days}" if wants(p, "digest") else "off"
    quiet = f"{p.quiet_start}–{p.quiet_end} your time" if p.quiet_start else "none"
    alerts = ", ".join(f"{label} {'on' if wants(p, k) else 'off'}" for k, label in ALERTS.items())
    lines = (
        ":gear: Settings saved.",
        f"• Digest: {digest}",
        f"• Quiet hours: {quiet} (reminders wait until they end)",
        f"• {alerts}",
        f"• Messages come in {PLATFORM_LABELS.get(p.platform, p.platform)}",
    )
    return Card(summary="Settings saved", blocks=(Text("\n".join(lines)),))


def _days(days: Sequence[str]) -> str:
    if list(days) == list(DAYS[:5]):
        return "weekdays (Mon–Fri)"
    if list(days) == list(DAYS):
        return "every day"
    return ", ".join(DAY_LABELS[DAYS.index(d)] for d in days)
