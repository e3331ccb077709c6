"""Done / Snooze on task reminders and the snooze-time modal."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp


def register(app: AsyncApp) -> None:
    """Nothing registered yet."""
