"""Slack implementations of domain ports: user profiles and notifications."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import render
from domain.cards import Card
from domain.model import OutboxMessage
from domain.ports import UnitOfWork
from domain.services.identity import Profile

logger = logging.getLogger(__name__)


class SlackProfiles:
    """``users.info``: the name, email and time zone Slack keeps for a user."""

    def __init__(self, client: Callable[[], AsyncWebClient]) -> None:
        self._client = client

    async def profile(self, slack_user_id: str) -> Profile | None:
        try:
            answer = await self._client().users_info(user=slack_user_id)
        except SlackApiError as exc:
            logger.warning("users.info for %s failed: %s", slack_user_id, exc.response.get("error"))
            return None
        except OSError:
            logger.warning("users.info for %s: Slack unreachable", slack_user_id, exc_info=True)
            return None
        user = answer.get("user") or {}
        profile = user.get("profile") or {}
        name = (
            profile.get("real_name") or user.get("real_name") or user.get("name") or slack_user_id
        )
        team = user.get("team_id")
        return Profile(
            name=str(name), email=profile.get("email"), tz=user.get("tz"), team_id=team or None
        )


class SlackNotifier:
    """A direct message through the outbox: rendered now, sent after commit, once."""

    async def notify(
        self, uow: UnitOfWork, *, to: str, card: Card, key: str, now: datetime
    ) -> bool:
        return bool(
            await uow.outbox.enqueue(
                OutboxMessage(key=key, channel=to, payload=render.message(card)), now=now
            )
        )
