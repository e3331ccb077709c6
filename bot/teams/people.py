"""Who sent a Teams activity, as a CRM user.

A Teams user is the CRM user whose ``teams_user_id`` is their AAD object id, else the one
user with their email (``domain.services.teams_refs``, which also keeps their personal
chat for proactive messages). Someone crmbot can't match is added, once, as a rep with no
clients under a key of their own (``ms:…``, never a Slack id) and told so.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any

from microsoft_agents.activity import Activity

from bot.bootstrap import Container
from domain.model import Surface
from domain.services import identity, teams_refs
from domain.services.identity import Profile, ProfileSource
from domain.teams import TeamsConversationRef

logger = logging.getLogger(__name__)

PREFIX = "ms:"  # the key of a Teams user crmbot could not match to a CRM user
KEY_LENGTH = 32  # users.slack_user_id is VARCHAR(32)


@dataclass(frozen=True)
class TeamsAsker:
    """The CRM user behind an activity; ``newcomer``: added just now, to be told so."""

    key: str  # users.slack_user_id: the actor the domain knows
    newcomer: bool = False


class TeamsProfiles:
    """Slack's profiles for matched users; nothing for ``ms:`` keys, which Slack never saw."""

    def __init__(self, slack: ProfileSource) -> None:
        self._slack = slack

    async def profile(self, slack_user_id: str) -> Profile | None:
        if slack_user_id.startswith(PREFIX):
            return None
        return await self._slack.profile(slack_user_id)


def unmatched_key(activity: Activity) -> str:
    sender = activity.from_property
    ident = (sender.aad_object_id or sender.id or "unknown") if sender else "unknown"
    return PREFIX + hashlib.sha256(ident.encode()).hexdigest()[: KEY_LENGTH - len(PREFIX)]


def email_of(activity: Activity) -> str | None:
    """Teams sends no email with a message; a client or a test may (``from.email``)."""
    extra: dict[str, Any] = (
        (activity.from_property.model_extra or {}) if activity.from_property else {}
    )
    found = extra.get("email") or extra.get("userPrincipalName")
    return str(found) if found else None


def reference(activity: Activity) -> TeamsConversationRef | None:
    raw = activity.get_conversation_reference().model_dump(
        by_alias=True, exclude_none=True, mode="json"
    )
    try:
        return TeamsConversationRef.from_reference(raw)
    except ValueError:
        return None


async def asker_of(container: Container, activity: Activity) -> TeamsAsker:
    """The CRM user behind the activity, their personal chat remembered (one transaction)."""
    now = container.clock()
    async with container.uow() as uow:
        ref = reference(activity)
        email = email_of(activity)
        if ref is not None:
            user = await teams_refs.remember(uow, ref, email=email, now=now)
        else:
            user = await uow.teams_refs.match_user(
                aad_object_id=activity.from_property.aad_object_id, email=email
            )
        if user is not None:
            await uow.commit()
            return TeamsAsker(user.slack_user_id)
        key = unmatched_key(activity)
        if await uow.users.get(key) is not None:
            return TeamsAsker(key)
        name = (activity.from_property.name if activity.from_property else None) or "Teams user"
        tz = activity.local_timezone
        added = await uow.users.remember_profile(key, name=name, email=email, tz=tz, now=now)
        if ref is not None and added.id is not None:  # their only way to be reached
            await uow.teams_refs.remember(added.id, ref, now=now)
        await identity.audit_added(
            uow, added, surface=Surface.TEAMS, reason="first request from Teams", now=now, name=name
        )
        await uow.commit()
        logger.info("teams: unmatched user %s added as %s", name, key)
        return TeamsAsker(key, newcomer=True)
