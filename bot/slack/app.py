"""The Bolt app: verification, middleware, listeners and the one error handler."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.bootstrap import Container
from bot.slack.middleware import build_middleware
from bot.slack.replies import ephemeral
from domain.cards import error_card
from domain.errors import CrmError
from handlers import register_all

logger = logging.getLogger(__name__)

OOPS = "Something went wrong on our side and nothing was saved. Please try again in a minute."


def build_slack_app(container: Container) -> AsyncApp:
    settings = container.settings
    app = AsyncApp(
        client=container.slack_client(),
        signing_secret=settings.slack_signing_secret,
        request_verification_enabled=True,
        raise_error_for_unhandled_request=False,
        process_before_response=False,
        logger=logging.getLogger("crmbot.slack"),
    )
    for middleware in build_middleware(container):
        app.use(middleware)
    app.error(_on_error)
    register_all(app)
    return app


async def _on_error(
    error: Exception, body: dict[str, Any], respond: Any, client: AsyncWebClient
) -> None:
    """Domain errors become a short ephemeral reply; anything else is logged in full."""
    if isinstance(error, CrmError):
        message = error.user_message()
    else:
        logger.error("unhandled error for %s", _kind(body), exc_info=error)
        message = OOPS
    try:
        await ephemeral(error_card(message), body=body, respond=respond, client=client)
    except Exception:  # the reply itself failed: nothing more we can tell the user
        logger.exception("could not tell the user about an error")


def _kind(body: dict[str, Any]) -> str:
    return str(body.get("command") or body.get("type") or "request")
