"""Installing into several workspaces (CONTRACT §1, §3): Bolt's OAuth flow on our database.

With ``SLACK_CLIENT_ID`` and ``SLACK_CLIENT_SECRET`` set, ``/slack/install`` and
``/slack/oauth_redirect`` run Bolt's OAuth flow. Installations and install states live in
our own database (slack_sdk's async SQLAlchemy stores on our engine; migration 0010 makes
their tables). Each request is answered with the bot token of its own workspace, refreshed
first when token rotation is on and it is about to expire; the outbox sends with the token
of the workspace its recipient belongs to (``bot/slack/workspaces.py``). One CRM serves every
workspace; ``CRMBOT_ALLOWED_TEAMS`` limits who may install and who is answered.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_bolt.error import BoltError
from slack_bolt.oauth.async_callback_options import (
    AsyncCallbackOptions,
    AsyncFailureArgs,
    AsyncSuccessArgs,
)
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore

from bot.slack.workspaces import REFRESH_MINUTES
from storage.models.slack_oauth import STATES_TABLE

if TYPE_CHECKING:
    from bot.bootstrap import Container

logger = logging.getLogger(__name__)

# oauth_config.scopes.bot of manifest.yml (tests/slack/test_oauth_install.py checks it)
BOT_SCOPES = (
    "commands",
    "chat:write",
    "chat:write.public",
    "im:write",
    "im:history",
    "users:read",
    "users:read.email",
    "channels:read",
    "groups:read",
    "team:read",
)
STATE_SECONDS = 600  # an install started more than 10 minutes ago must start again
REFUSED_PAGE = (
    "<html><body><h2>crmbot isn't enabled for this workspace.</h2>"
    "<p>Nothing was installed. Ask the people who run crmbot to allow it.</p></body></html>"
)


class WorkspaceNotAllowed(BoltError):
    """An install into a workspace outside ``CRMBOT_ALLOWED_TEAMS``: nothing is saved."""

    def __init__(self, team_id: str | None) -> None:
        super().__init__(f"workspace {team_id} is not in CRMBOT_ALLOWED_TEAMS")
        self.team_id = team_id


class AllowedTeamsOAuthFlow(AsyncOAuthFlow):
    """Bolt's flow, refusing to keep an install into a workspace that is not allowed."""

    allowed: frozenset[str] = frozenset()

    async def store_installation(
        self, request: AsyncBoltRequest, installation: Installation
    ) -> None:
        if self.allowed and installation.team_id not in self.allowed:
            logger.warning("refused an install into workspace %s", installation.team_id)
            await self._give_back(installation)
            raise WorkspaceNotAllowed(installation.team_id)
        await super().store_installation(request, installation)
        logger.info("installed into workspace %s", installation.team_id)

    async def _give_back(self, installation: Installation) -> None:
        """Revoke the token Slack just issued: an install we refuse keeps no access."""
        try:
            await self.client.auth_revoke(token=installation.bot_token)
        except Exception:  # the install is refused either way; the token is never stored
            logger.warning("could not revoke the refused workspace's token", exc_info=True)


async def _on_failure(args: AsyncFailureArgs) -> BoltResponse:
    if isinstance(args.error, WorkspaceNotAllowed):
        headers: dict[str, str | Sequence[str]] = {"Content-Type": "text/html; charset=utf-8"}
        return BoltResponse(status=403, body=REFUSED_PAGE, headers=headers)
    return await args.default.failure(args)


async def _on_success(args: AsyncSuccessArgs) -> BoltResponse:
    return await args.default.success(args)


def oauth_flow(container: Container) -> AllowedTeamsOAuthFlow:
    """The install flow and the per-workspace authorize step, talking to SLACK_API_URL."""
    settings, client = container.settings, container.slack_client(token=None)
    client.token = None  # the flow's own calls carry the code or the client secret
    store = container.workspaces.store
    oauth = AsyncOAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=list(BOT_SCOPES),
        installation_store=store,
        installation_store_bot_only=True,
        state_store=AsyncSQLAlchemyOAuthStateStore(
            expiration_seconds=STATE_SECONDS, engine=container.engine, table_name=STATES_TABLE
        ),
        state_expiration_seconds=STATE_SECONDS,
        token_rotation_expiration_minutes=REFRESH_MINUTES,
        callback_options=AsyncCallbackOptions(success=_on_success, failure=_on_failure),
    )
    # Bolt builds its authorize step without a client: its token refreshes would go to
    # slack.com whatever SLACK_API_URL says. This one refreshes through ours.
    oauth.authorize = AsyncInstallationStoreAuthorize(
        logger=logging.getLogger("crmbot.slack.authorize"),
        installation_store=store,
        client_id=oauth.client_id,
        client_secret=oauth.client_secret,
        token_rotation_expiration_minutes=REFRESH_MINUTES,
        bot_only=True,
        cache_enabled=True,  # by token: one auth.test per token, not one per request
        client=client,
    )
    flow = AllowedTeamsOAuthFlow(client=client, settings=oauth)
    flow.allowed = settings.allowed_team_ids
    return flow


NOT_INSTALLED = "crmbot isn't installed in this workspace yet. Ask your admin to install it."


def app_options(container: Container) -> dict[str, Any]:
    """What ``AsyncApp`` takes for OAuth installs; nothing for one workspace's token."""
    from bot.slack.middleware import team_gate

    if not container.settings.slack_client_id:
        return {}
    return {
        "oauth_flow": oauth_flow(container),
        "installation_store_bot_only": True,
        "before_authorize": team_gate(container),
        "user_facing_authorize_error_message": NOT_INSTALLED,
    }
