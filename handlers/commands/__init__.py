"""``/crm``: ack at once, then parse, call the domain and answer ephemerally."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.bootstrap import Container
from bot.slack import render
from domain.cards import error_card
from domain.chat.grammar import Help, Invalid, OpenModal, parse
from domain.chat.help import help_card
from domain.model import Surface
from domain.services.chat import Asker
from handlers.modals import open_modal


def register(app: AsyncApp) -> None:
    app.command("/crm")(crm)


async def crm(ack: Any, command: dict[str, Any], respond: Any, container: Container) -> None:
    parsed = parse(command.get("text") or "")
    if isinstance(parsed, Help):
        await ack(**render.message(help_card(), response_type="ephemeral"))
        return
    if isinstance(parsed, Invalid):
        await ack(**render.message(error_card(parsed.message), response_type="ephemeral"))
        return
    await ack()
    if isinstance(parsed, OpenModal):
        await open_modal(container, parsed.kind, trigger_id=command["trigger_id"], body=command)
        return
    asker = Asker(command["user_id"], command.get("channel_id"), Surface.SLASH)
    async with container.command_slots:
        card = await container.chat.handle(asker, parsed)
    await respond(**render.message(card, response_type="ephemeral"))
    container.deliver_soon()
