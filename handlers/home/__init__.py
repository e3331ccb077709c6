"""The App Home tab: app_home_opened, views.publish, and its buttons."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp


def register(app: AsyncApp) -> None:
    """Nothing registered yet."""
