"""The message shortcut "Log to CRM" and the global shortcut "New CRM task"."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp


def register(app: AsyncApp) -> None:
    """Nothing registered yet."""
