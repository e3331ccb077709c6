"""What the Teams handlers share: the container and a chat service for Teams users."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from bot.bootstrap import Container
from bot.teams.people import TeamsProfiles
from domain.services.chat import ChatService


@dataclass
class TeamsBot:
    container: Container
    _chat: ChatService | None = field(default=None, repr=False)

    @property
    def chat(self) -> ChatService:
        """The chat service, with profiles that never ask Slack about a Teams-only user."""
        if self._chat is None:
            deps = self.container.chat.deps
            self._chat = ChatService(
                dataclasses.replace(deps, profiles=TeamsProfiles(deps.profiles))
            )
        return self._chat
