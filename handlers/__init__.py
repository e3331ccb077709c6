"""Chat adapters: each interaction kind registers its listeners explicitly."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from handlers import actions, commands, modals


def register_all(app: AsyncApp) -> None:
    commands.register(app)
    actions.register(app)
    modals.register(app)
