"""Users of crmbot and their preferences."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    slack_user_id: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    role: Mapped[str] = mapped_column(String(16), default="rep")
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    timezone: Mapped[str | None] = mapped_column(String(64))
    slack_timezone: Mapped[str | None] = mapped_column(String(64))
    slack_checked_at: Mapped[datetime | None]
    teams_user_id: Mapped[str | None] = mapped_column(String(64), index=True)
    slack_team_id: Mapped[str | None] = mapped_column(String(32))  # the workspace (0010)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class UserPreferencesRow(Base):
    __tablename__ = "user_preferences"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    digest_hour: Mapped[int] = mapped_column(default=8)
    digest_days: Mapped[list[str]]
    quiet_start: Mapped[str | None] = mapped_column(String(5))
    quiet_end: Mapped[str | None] = mapped_column(String(5))
    alerts: Mapped[dict[str, Any]]
    # where direct messages go: "slack" or "teams" (0011)
    platform: Mapped[str] = mapped_column(String(8), default="slack", server_default="slack")
    updated_at: Mapped[datetime]
