"""Teams users: who a Teams user is in the CRM, and where to reach the users who chose Teams.

A Teams user is the CRM user whose ``teams_user_id`` (users.csv) is their AAD object id,
else the one user with their email. Every message they send in a personal chat refreshes
the conversation reference that proactive messages (reminders, digests, risk alerts) are
posted to; ``teams_target`` says whether a message for a user goes there or to Slack.
"""

from __future__ import annotations

import logging
from datetime import datetime

from domain.model import User
from domain.ports_teams import TeamsUnitOfWork
from domain.teams import TEAMS_ONLY_PREFIX, TeamsConversationRef

logger = logging.getLogger(__name__)


async def remember(
    uow: TeamsUnitOfWork, ref: TeamsConversationRef, *, email: str | None, now: datetime
) -> User | None:
    """The CRM user behind a Teams activity, its personal chat kept for proactive
    messages; None when no CRM user matches (then nothing is stored). Writes in the
    caller's transaction: the caller commits."""
    user = await uow.teams_refs.match_user(aad_object_id=ref.aad_object_id, email=email)
    if user is None or user.id is None:
        return None
    if ref.personal and await uow.teams_refs.remember(user.id, ref, now=now):
        logger.info("teams: personal chat of %s is %s", user.slack_user_id, ref.conversation_id)
    return user


async def teams_target(uow: TeamsUnitOfWork, slack_user_id: str) -> TeamsConversationRef | None:
    """The personal chat to message the user in, when they chose Teams (or are known only
    from Teams) and have written to the bot there; None means Slack (the default)."""
    platform, ref = await uow.teams_refs.route(slack_user_id)
    if platform == "teams" or slack_user_id.startswith(TEAMS_ONLY_PREFIX):
        return ref
    return None
