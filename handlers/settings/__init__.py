"""The /crm settings modal: digest hour and days, quiet hours, alerts."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp


def register(app: AsyncApp) -> None:
    """Nothing registered yet."""
