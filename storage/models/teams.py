"""Microsoft Teams: each user's personal chat with the bot, for proactive messages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base


class TeamsConversationRow(Base):
    """The conversation reference of the user's last message in a personal chat."""

    __tablename__ = "teams_conversations"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    aad_object_id: Mapped[str | None] = mapped_column(String(64), index=True)
    tenant_id: Mapped[str | None] = mapped_column(String(64))
    conversation_id: Mapped[str] = mapped_column(String(400))
    service_url: Mapped[str] = mapped_column(String(400))
    bot_id: Mapped[str] = mapped_column(String(200))
    reference: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime]
