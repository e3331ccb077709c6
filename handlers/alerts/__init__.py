"""Buttons on risk alerts and digests: create retention task, snooze an alert."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp


def register(app: AsyncApp) -> None:
    """Nothing registered yet."""
