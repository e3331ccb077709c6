"""Chat adapters: each interaction kind registers its listeners explicitly."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from handlers import commands


def register_all(app: AsyncApp) -> None:
    commands.register(app)
