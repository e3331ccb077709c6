"""Buttons on crmbot's messages. Values carry ids or tokens that the domain checks
against the database and the user who clicked; nothing in a value is trusted."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from bot.bootstrap import Container
from bot.slack import render
from domain.chat import replies
from domain.errors import UsageError
from domain.model import Surface
from domain.services.chat import Asker
from handlers.home import refresh_home_if_from_home
from handlers.modals import open_modal


def register(app: AsyncApp) -> None:
    app.action(replies.UNDO)(undo)
    app.action(replies.DONE)(done)
    app.action(replies.ACCEPT)(accept)
    app.action(replies.PICK)(pick)
    app.action(replies.FOLLOW_UP)(follow_up)
    app.action(render.SHARE_ACTION)(share)


def _asker(body: dict[str, Any]) -> Asker:
    channel = (body.get("channel") or {}).get("id")
    return Asker(body["user"]["id"], channel, Surface.BUTTON)


def _value(body: dict[str, Any]) -> str:
    return str(body["actions"][0].get("value") or "")


def _number(text: str) -> int:
    if not text.isdigit():
        raise UsageError("That button is broken; run the command again.")
    return int(text)


async def undo(ack: Any, body: dict[str, Any], respond: Any, container: Container) -> None:
    await ack()
    card = await container.chat.undo(_asker(body), _number(_value(body)))
    await respond(**render.message(card, replace_original=False, response_type="ephemeral"))


async def done(ack: Any, body: dict[str, Any], respond: Any, container: Container) -> None:
    await ack()
    card = await container.chat.done(_asker(body), _number(_value(body)))
    if await refresh_home_if_from_home(body, container):
        return  # the Home shows it done; it has no response_url to answer on
    await respond(**render.message(card, replace_original=False, response_type="ephemeral"))


async def accept(ack: Any, body: dict[str, Any], respond: Any, container: Container) -> None:
    await ack()
    card = await container.chat.accept(_asker(body), _value(body))
    await respond(**render.message(card, replace_original=False, response_type="ephemeral"))


async def pick(ack: Any, body: dict[str, Any], respond: Any, container: Container) -> None:
    await ack()
    token, _, external_id = _value(body).partition("|")
    card = await container.chat.pick(_asker(body), token, external_id)
    await respond(**render.message(card, replace_original=True, response_type="ephemeral"))
    container.deliver_soon()


async def follow_up(ack: Any, body: dict[str, Any], container: Container) -> None:
    await ack()
    await open_modal(
        container, "task", trigger_id=body["trigger_id"], body=body, client_id=_number(_value(body))
    )


async def share(ack: Any, body: dict[str, Any], container: Container) -> None:
    """Post the card, rebuilt now, to the channel it was asked in, for everyone."""
    await ack()
    card, channel = await container.chat.share(_asker(body), _value(body))
    try:
        await container.slack_client().chat_postMessage(channel=channel, **render.message(card))
    except SlackApiError as exc:
        if exc.response.get("error") not in ("not_in_channel", "channel_not_found"):
            raise
        raise UsageError(
            "I can't post in this channel; invite me (`/invite @crmbot`) first."
        ) from exc
