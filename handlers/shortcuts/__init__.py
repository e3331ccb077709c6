"""The message shortcut "Log to CRM" and the global shortcut "New CRM task"."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.bootstrap import Container
from bot.faults import sorry
from bot.slack import render, views_shortcut
from domain.cards import Card
from domain.errors import CrmError
from domain.services.message_log import MessageLogService
from domain.services.message_log_model import FieldError
from handlers.modals import FIELD_ERROR, SORRY, open_modal

LOG_MESSAGE = "log_message"  # CONTRACT §4: the message shortcut's callback_id
NEW_TASK = "new_task"
logger = logging.getLogger(__name__)


def register(app: AsyncApp) -> None:
    app.shortcut(LOG_MESSAGE)(log_message)
    app.shortcut(NEW_TASK)(new_task)
    app.view(views_shortcut.LOG_MESSAGE)(submit_log_message)


async def log_message(ack: Any, body: dict[str, Any], container: Container) -> None:
    """Ack, one short unit of work, then views.open: well inside the trigger's 3 seconds."""
    await ack()
    message = views_shortcut.chat_message(body)
    draft = await MessageLogService(container.chat).open(body["user"]["id"], message)
    await container.slack_client().views_open(
        trigger_id=body["trigger_id"], view=views_shortcut.log_message_view(draft)
    )


async def new_task(ack: Any, body: dict[str, Any], container: Container) -> None:
    await ack()
    await open_modal(container, "task", trigger_id=body["trigger_id"], body=body)


async def submit_log_message(
    ack: Any, body: dict[str, Any], view: dict[str, Any], container: Container
) -> None:
    """Save first, then close: any problem goes back into the form as a field error."""
    form, meta = views_shortcut.submission(view)
    user = body["user"]["id"]
    permalink = await _permalink(container, meta)
    try:
        card, response_url = await MessageLogService(container.chat).submit(
            user, form, permalink=permalink
        )
    except CrmError as exc:
        field = exc.field if isinstance(exc, FieldError) else "notes"
        field = field if field in _inputs(view) else "notes"
        await ack(response_action="errors", errors={field: exc.user_message()[:FIELD_ERROR]})
        return
    except Exception as exc:  # the form must get an answer in time, whatever broke
        told = sorry(exc, doing="saving a logged message", otherwise=SORRY)
        await ack(response_action="errors", errors={"notes": told})
        return
    await ack()
    await _confirm(container, card, user=user, response_url=response_url)
    container.deliver_soon()


async def _permalink(container: Container, meta: dict[str, Any]) -> str | None:
    """The message's permalink; the activity is logged without one if Slack can't say."""
    if not meta.get("channel") or not meta.get("ts"):
        return None
    try:
        found = await container.slack_client().chat_getPermalink(
            channel=str(meta["channel"]), message_ts=str(meta["ts"])
        )
    except SlackApiError as exc:
        logger.warning("no permalink for %s/%s: %s", meta["channel"], meta["ts"], exc)
        return None
    link = found.get("permalink")
    return str(link) if link else None


async def _confirm(
    container: Container, card: Card, *, user: str, response_url: str | None
) -> None:
    """Ephemeral where the message is (the shortcut's response_url), else a direct message."""
    if response_url:
        payload = render.message(card, response_type="ephemeral", replace_original=False)
        try:
            sent = await AsyncWebhookClient(response_url).send_dict(payload)
            if sent.status_code == 200:
                return
            logger.warning("response_url refused the confirmation: %s", sent.status_code)
        except Exception:  # the DM below still tells the user
            logger.warning("response_url failed; confirming by direct message", exc_info=True)
    await container.slack_client().chat_postMessage(channel=user, **render.message(card))


def _inputs(view: dict[str, Any]) -> set[str]:
    return {b.get("block_id", "") for b in view.get("blocks", []) if b.get("type") == "input"}
