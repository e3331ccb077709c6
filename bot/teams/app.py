"""Microsoft Teams: ``POST /api/messages`` in the ``serve`` process, on the Microsoft 365
Agents SDK (``CloudAdapter`` and an ``ActivityHandler``).

With ``TEAMS_APP_ID`` set, every request must carry a Bot Framework token for that app
(the SDK's JWT validation) and replies are sent with an MSAL token. Without it the
endpoint accepts anyone and replies unauthenticated — for local tests only, and the log
says so loudly at start.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass

from aiohttp import web
from microsoft_agents.activity import ActivityTypes, ChannelAccount, InvokeResponse
from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.aiohttp import CloudAdapter, jwt_authorization_decorator
from microsoft_agents.hosting.core import (
    ActivityHandler,
    AgentAuthConfiguration,
    AnonymousTokenProvider,
    ConnectionManager,
    TurnContext,
)
from microsoft_agents.hosting.core.authorization import Connections

from bot.bootstrap import Container
from bot.settings import Settings
from bot.teams import actions, commands, extension, reply
from bot.teams.context import TeamsBot

logger = logging.getLogger(__name__)

ROUTE = "/api/messages"
CONFIGURATION = "agent_configuration"  # where the SDK's JWT check looks for its settings
MULTI_TENANT = "botframework.com"  # the tenant a multi-tenant Bot Framework app signs in to
UNAUTHENTICATED = (
    "TEAMS_APP_ID is not set: %s accepts UNAUTHENTICATED requests from anyone. "
    "This is for local testing only; never expose it. Set TEAMS_APP_ID, TEAMS_APP_PASSWORD "
    "and TEAMS_TENANT_ID to use Teams."
)
INVOKES = {
    "adaptiveCard/action": actions.on_action,
    "composeExtension/fetchTask": extension.fetch_task,
    "composeExtension/submitAction": extension.submit_action,
}


class CrmTeamsBot(ActivityHandler):
    """Routes Teams activities to the handlers; each handler answers every error itself."""

    def __init__(self, teams: TeamsBot) -> None:
        self.teams = teams

    async def on_message_activity(self, turn_context: TurnContext) -> None:  # type: ignore[override]
        if await commands.is_repeat(self.teams, turn_context.activity):
            logger.info("teams: dropped a repeat of %s", turn_context.activity.id)
            return
        card = await commands.on_message(self.teams, turn_context.activity)
        content = await reply.adaptive(self.teams.container, card)
        await turn_context.send_activity(reply.message(content, card.summary))

    async def on_members_added_activity(  # type: ignore[override]
        self, members_added: list[ChannelAccount], turn_context: TurnContext
    ) -> None:
        card = await commands.on_installed(self.teams, turn_context.activity)
        if card is not None:
            content = await reply.adaptive(self.teams.container, card)
            await turn_context.send_activity(reply.message(content, card.summary))

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:  # type: ignore[override]
        handler = INVOKES.get(str(turn_context.activity.name or ""))
        if handler is None:
            return InvokeResponse(status=501)
        return InvokeResponse(status=200, body=await handler(self.teams, turn_context.activity))


@dataclass(frozen=True)
class TeamsEndpoint:
    adapter: CloudAdapter
    bot: CrmTeamsBot


TEAMS = web.AppKey("teams", TeamsEndpoint)


def auth_configuration(settings: Settings) -> AgentAuthConfiguration:
    tenant = settings.teams_tenant_id
    if settings.teams_app_id and not tenant:
        logger.warning("TEAMS_TENANT_ID is not set: signing in as a multi-tenant bot")
        tenant = MULTI_TENANT
    return AgentAuthConfiguration(
        client_id=settings.teams_app_id,
        tenant_id=tenant,
        client_secret=settings.teams_app_password,
        anonymous_allowed=not settings.teams_app_id,
    )


def connections(config: AgentAuthConfiguration) -> Connections:
    """MSAL tokens for the app's replies; none when anonymous (local tests)."""
    named = {"SERVICE_CONNECTION": config}
    if config.ANONYMOUS_ALLOWED:
        return ConnectionManager(
            lambda _: AnonymousTokenProvider(), connections_configurations=named
        )
    return MsalConnectionManager(connections_configurations=named)


async def _on_turn_error(context: TurnContext, error: Exception) -> None:
    """Last resort (handlers answer their own errors): log it, say sorry, no traceback."""
    logger.error("teams: turn failed", exc_info=error)
    if context.activity.type == ActivityTypes.message:
        await context.send_activity(reply.SORRY)


def add_teams_routes(web_app: web.Application, container: Container) -> None:
    """``POST /api/messages``, authenticated unless TEAMS_APP_ID is unset (then loudly not)."""
    config = auth_configuration(container.settings)
    if config.ANONYMOUS_ALLOWED:
        logger.warning(UNAUTHENTICATED, ROUTE)
    adapter = CloudAdapter(connection_manager=connections(config))
    adapter.on_turn_error = _on_turn_error
    with warnings.catch_warnings():  # the SDK reads it under this plain string key
        warnings.simplefilter("ignore")
        web_app[CONFIGURATION] = config
    web_app[TEAMS] = TeamsEndpoint(adapter, CrmTeamsBot(TeamsBot(container)))
    web_app.router.add_post(ROUTE, jwt_authorization_decorator(messages))  # type: ignore[no-untyped-call]


async def messages(request: web.Request) -> web.StreamResponse:
    endpoint = request.app[TEAMS]
    processed = await endpoint.adapter.process(request, endpoint.bot)
    response: web.StreamResponse = processed if processed is not None else web.Response(status=202)
    outcome = "ok" if response.status < 400 else ("refused" if response.status < 500 else "error")
    endpoint.bot.teams.container.metrics.requests.labels("teams", outcome).inc()
    return response
