"""Microsoft Teams as a second chat platform: where a user's personal chat with the bot is.

A ``TeamsConversationRef`` is what the Bot Connector needs to start a message in a user's
personal chat without the user writing first (a proactive message): the conversation id,
the regional ``serviceUrl`` to post to, the tenant, the bot's id and the user's AAD object
id. It is taken from the last activity the user sent (``Activity.get_conversation_reference()``
as camelCase JSON) and kept per CRM user, so reminders, digests and alerts can reach them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

PLATFORMS = ("slack", "teams")
DEFAULT_PLATFORM = "slack"
TEAMS_SEND = "teams.send"  # outbox kind: one activity posted into a Teams conversation
PERSONAL = "personal"
# the key of a CRM user known only from Teams (bot/teams/people.py): no Slack to fall back to
TEAMS_ONLY_PREFIX = "ms:"


def _part(reference: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = reference.get(key)
    return value if isinstance(value, Mapping) else {}


def _text(value: object) -> str | None:
    return str(value) if isinstance(value, str) and value else None


@dataclass(frozen=True)
class TeamsConversationRef:
    conversation_id: str
    service_url: str
    bot_id: str
    aad_object_id: str | None = None
    tenant_id: str | None = None
    teams_user_id: str | None = None  # the channel account id ("29:…")
    conversation_type: str = PERSONAL
    channel_id: str = "msteams"

    @classmethod
    def from_reference(cls, reference: Mapping[str, Any]) -> TeamsConversationRef:
        """From a Bot Framework ``ConversationReference`` as JSON (camelCase keys);
        ValueError when the conversation id, service URL or bot id is missing."""
        conversation, user = _part(reference, "conversation"), _part(reference, "user")
        bot = _part(reference, "bot") or _part(reference, "agent")
        conversation_id = _text(conversation.get("id"))
        service_url = _text(reference.get("serviceUrl"))
        bot_id = _text(bot.get("id"))
        if not (conversation_id and service_url and bot_id):
            raise ValueError("a conversation reference needs conversation.id, serviceUrl, bot.id")
        return cls(
            conversation_id=conversation_id,
            service_url=service_url,
            bot_id=bot_id,
            aad_object_id=_text(user.get("aadObjectId")),
            tenant_id=_text(conversation.get("tenantId")),
            teams_user_id=_text(user.get("id")),
            conversation_type=_text(conversation.get("conversationType")) or PERSONAL,
            channel_id=_text(reference.get("channelId")) or "msteams",
        )

    @property
    def personal(self) -> bool:
        return self.conversation_type == PERSONAL

    def as_reference(self) -> dict[str, Any]:
        """The same reference as camelCase JSON, as the Bot Connector spells it."""
        conversation: dict[str, Any] = {"id": self.conversation_id}
        conversation["conversationType"] = self.conversation_type
        if self.tenant_id:
            conversation["tenantId"] = self.tenant_id
        user = {
            k: v for k, v in (("id", self.teams_user_id), ("aadObjectId", self.aad_object_id)) if v
        }
        reference: dict[str, Any] = {
            "channelId": self.channel_id,
            "serviceUrl": self.service_url,
            "bot": {"id": self.bot_id},
            "conversation": conversation,
        }
        if user:
            reference["user"] = user
        return reference
