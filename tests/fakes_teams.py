"""In memory: each user's Teams personal chat (``domain.ports_teams.TeamsReferences``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.model import User
from domain.ports_teams import TeamsReferences
from domain.teams import TeamsConversationRef


class FakeTeamsReferences(TeamsReferences):
    def __init__(self, txn: Any) -> None:
        self._txn = txn

    @property
    def _refs(self) -> dict[int, TeamsConversationRef]:
        refs: dict[int, TeamsConversationRef] = self._txn.tables.__dict__.setdefault(
            "teams_refs", {}
        )
        return refs

    def _users(self) -> list[User]:
        return list(self._txn.tables.users.values())

    async def remember(self, user_id: int, ref: TeamsConversationRef, *, now: datetime) -> bool:
        if not any(u.id == user_id for u in self._users()):
            raise KeyError(f"no user {user_id}")
        changed = self._refs.get(user_id) != ref
        self._refs[user_id] = ref
        return changed

    async def get(self, slack_user_id: str) -> TeamsConversationRef | None:
        user = self._txn.tables.users.get(slack_user_id)
        return None if user is None else self._refs.get(user.id)

    async def route(self, slack_user_id: str) -> tuple[str, TeamsConversationRef | None]:
        saved = self._txn.tables.preferences.get(slack_user_id)
        return (saved.platform if saved else "slack"), await self.get(slack_user_id)

    async def match_user(self, *, aad_object_id: str | None, email: str | None) -> User | None:
        users = self._users()
        by_aad = [u for u in users if aad_object_id and u.teams_user_id == aad_object_id]
        if len(by_aad) == 1:
            return by_aad[0]
        wanted = (email or "").strip().lower()
        by_email = [u for u in users if wanted and (u.email or "").lower() == wanted]
        return by_email[0] if len(by_email) == 1 else None
