"""Ports for Microsoft Teams: each CRM user's personal-chat conversation reference.

``storage/repositories/teams_refs.py`` implements it on SQLAlchemy, ``tests/fakes_teams.py``
in memory; ``tests/integration/test_teams_refs.py`` holds both to one contract.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from domain.model import User
from domain.ports import UnitOfWork
from domain.teams import TeamsConversationRef


class TeamsReferences(Protocol):
    async def remember(self, user_id: int, ref: TeamsConversationRef, *, now: datetime) -> bool:
        """Keep ``ref`` as the user's personal chat (insert or replace); True when it
        changed (a new user, or another conversation, service URL or bot)."""
        ...

    async def get(self, slack_user_id: str) -> TeamsConversationRef | None:
        """The user's last known personal chat, or None when they never wrote to the bot."""
        ...

    async def route(self, slack_user_id: str) -> tuple[str, TeamsConversationRef | None]:
        """The user's chosen platform ("slack" until they save another) and personal chat,
        in one read: asked once for every direct message crmbot sends."""
        ...

    async def match_user(self, *, aad_object_id: str | None, email: str | None) -> User | None:
        """The CRM user with this AAD object id (``users.teams_user_id``), else the one
        with this email (case-insensitive, only when exactly one has it); else None."""
        ...


class TeamsUnitOfWork(UnitOfWork, Protocol):
    teams_refs: TeamsReferences
