"""Who is asking, and in which time zone they live.

A user's zone is the one Slack reports (``users.info``, cached on the user for a day),
else the imported ``timezone``, else ``CRMBOT_DEFAULT_TZ`` (CONTRACT §4.1). A Slack user
crmbot does not know yet is added as a rep with no clients the first time they appear.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.model import AuditEntry, Surface, User
from domain.ports import UnitOfWork

logger = logging.getLogger(__name__)

PROFILE_TTL = timedelta(days=1)


@dataclass(frozen=True)
class Profile:
    name: str
    email: str | None
    tz: str | None
    team_id: str | None = None  # the workspace the user belongs to


class ProfileSource(Protocol):
    """Where profiles come from (Slack's ``users.info``); None when it can't say."""

    async def profile(self, slack_user_id: str) -> Profile | None: ...


@dataclass(frozen=True)
class Actor:
    user: User
    tz: ZoneInfo
    known: bool  # False: added just now, a rep with no clients

    @property
    def slack_user_id(self) -> str:
        return self.user.slack_user_id


def zone(name: str | None, default: str) -> ZoneInfo:
    try:
        return ZoneInfo(name) if name else ZoneInfo(default)
    except (ZoneInfoNotFoundError, ValueError):
        logger.warning("unknown time zone %r; using %s", name, default)
        return ZoneInfo(default)


async def who_is(
    uow: UnitOfWork,
    slack_user_id: str,
    *,
    profiles: ProfileSource,
    now: datetime,
    default_tz: str,
) -> Actor:
    """The user behind a request, refreshed from Slack when the cached profile is stale."""
    user = await uow.users.get(slack_user_id)
    fresh = (
        user is not None and user.profile_checked_at and now - user.profile_checked_at < PROFILE_TTL
    )
    if user is not None and fresh:
        return Actor(user, zone(user.timezone, default_tz), known=True)
    profile = await profiles.profile(slack_user_id)
    if profile is None and user is not None:
        return Actor(user, zone(user.timezone, default_tz), known=True)
    profile = profile or Profile(name=slack_user_id, email=None, tz=None)
    known = user is not None
    user = await uow.users.remember_profile(
        slack_user_id,
        name=profile.name,
        email=profile.email,
        tz=profile.tz,
        now=now,
        team_id=profile.team_id,
    )
    if not known:
        await audit_added(
            uow, user, surface=Surface.SLASH, reason="first request from Slack", now=now
        )
    return Actor(user, zone(user.timezone, default_tz), known=known)


async def audit_added(
    uow: UnitOfWork,
    user: User,
    *,
    surface: Surface,
    reason: str,
    now: datetime,
    **details: object,
) -> None:
    """The audit row of a user crmbot added on first contact (they are its actor)."""
    await uow.audit.add(
        AuditEntry(
            actor=user.slack_user_id,
            surface=surface,
            action="user.added",
            entity_type="user",
            entity_id=user.slack_user_id,
            details={"role": str(user.role), "reason": reason, **details},
            at=now,
        )
    )
