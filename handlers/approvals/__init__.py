"""Approve / Reject on approval requests, the reject-reason modal, /crm quotes bulk approve."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp


def register(app: AsyncApp) -> None:
    """Nothing registered yet."""
