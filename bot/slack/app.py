"""The Bolt app: verification, middleware, listeners and the one error handler."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.bootstrap import Container
from bot.faults import BUSY, database_unavailable, reason, sorry
from bot.slack.middleware import build_middleware
from bot.slack.oauth import app_options
from bot.slack.replies import ephemeral
from domain.cards import error_card
from domain.errors import CrmError
from handlers import register_all

logger = logging.getLogger(__name__)

OOPS = "Something went wrong on our side and nothing was saved. Please try again in a minute."
# requests that no one sent expecting a message back: a typeahead, an event
UNASKED = frozenset({"block_suggestion", "event_callback", "view_closed"})


def build_slack_app(container: Container) -> AsyncApp:
    settings = container.settings
    app = AsyncApp(
        client=container.slack_client(),
        signing_secret=settings.slack_signing_secret,
        request_verification_enabled=True,
        raise_error_for_unhandled_request=False,
        process_before_response=False,
        logger=logging.getLogger("crmbot.slack"),
        **app_options(container),  # OAuth installs, when SLACK_CLIENT_ID is set
    )
    if app.oauth_flow is not None:
        app.enable_token_revocation_listeners()  # app_uninstalled, tokens_revoked
    for middleware in build_middleware(container):
        app.use(middleware)
    app.error(_on_error)
    register_all(app)
    return app


async def _on_error(
    error: Exception,
    body: dict[str, Any],
    respond: Any,
    client: AsyncWebClient,
    response: BoltResponse | None = None,
) -> BoltResponse | None:
    """Domain errors become a short ephemeral reply; a database out of reach says so
    politely (one warning line, no traceback); anything else is logged in full."""
    busy = database_unavailable(error)
    unacked = response is not None and response.status >= 500  # failed in a middleware
    if busy and unacked and (form := _form_errors(body, BUSY)) is not None:
        logger.warning("database unavailable for a form: %s", reason(error))
        return form  # the form stays open with what was typed
    if busy and body.get("type") in UNASKED:  # no one is waiting on a reply: no DM
        logger.warning("database unavailable for %s: %s", _kind(body), reason(error))
        return BoltResponse(status=200, body="") if unacked else None
    if isinstance(error, CrmError):
        message = error.user_message()
    else:  # logged: one warning line when busy, else the traceback
        message = sorry(error, doing=f"a {_kind(body)} request", otherwise=OOPS)
    try:
        await ephemeral(error_card(message), body=body, respond=respond, client=client)
    except Exception:  # the reply itself failed: nothing more we can tell the user
        logger.exception("could not tell the user about an error")
    if busy and unacked:
        # answer 200, or Slack retries a request the user has just been told was not
        # saved (and shows them its own error on top)
        return BoltResponse(status=200, body="")
    return None


def _form_errors(body: dict[str, Any], message: str) -> BoltResponse | None:
    """A modal submission answered with ``message`` on its first input, or None."""
    if body.get("type") != "view_submission":
        return None
    blocks = list(((body.get("view") or {}).get("state") or {}).get("values") or {})
    if not blocks:
        return None
    answer = {"response_action": "errors", "errors": {blocks[0]: message}}
    return BoltResponse(
        status=200, body=json.dumps(answer), headers={"content-type": "application/json"}
    )


def _kind(body: dict[str, Any]) -> str:
    return str(body.get("command") or body.get("type") or "request")
