"""``/crm``: parse the text, call the domain, render the answer."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.slack import render
from domain.cards import Card, error_card, info_card
from domain.chat.grammar import Command, Help, Invalid, parse
from domain.chat.help import help_card


def register(app: AsyncApp) -> None:
    app.command("/crm")(crm)


async def crm(ack: Any, command: dict[str, Any]) -> None:
    parsed = parse(command.get("text") or "")
    await ack(**render.message(answer_now(parsed), response_type="ephemeral"))


def answer_now(parsed: Command) -> Card:
    """Commands answered without touching the database."""
    if isinstance(parsed, Help):
        return help_card()
    if isinstance(parsed, Invalid):
        return error_card(parsed.message)
    verb = type(parsed).__name__
    return info_card(
        f"That command ({verb}) isn't available in this build yet. `/crm help` lists them all."
    )
