"""Chat adapters: each interaction kind registers its listeners explicitly."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from handlers import (
    actions,
    alerts,
    approvals,
    commands,
    home,
    modals,
    reminders,
    settings,
    shortcuts,
)


def register_all(app: AsyncApp) -> None:
    commands.register(app)
    actions.register(app)
    modals.register(app)
    approvals.register(app)
    reminders.register(app)
    settings.register(app)
    alerts.register(app)
    shortcuts.register(app)
    home.register(app)
