"""The aiohttp application: Slack events, health, metrics and the REST prefix."""

from __future__ import annotations

import asyncio
import importlib
import logging
import time

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp

from bot.api import build_api
from bot.bootstrap import Container
from bot.teams.app import add_teams_routes

logger = logging.getLogger(__name__)

CONTAINER = web.AppKey("container", Container)
SLACK = web.AppKey("slack", AsyncApp)
MAX_BODY = 1024 * 1024
SCORING = "domain.services.scoring"  # what a health card or route may score with


def build_web_app(container: Container, slack_app: AsyncApp | None) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY)
    app[CONTAINER] = container
    if slack_app is not None:
        app[SLACK] = slack_app
    app.router.add_post("/slack/events", slack_events)
    app.router.add_get("/slack/install", slack_oauth)  # OAuth installs (SLACK_CLIENT_ID)
    app.router.add_get("/slack/oauth_redirect", slack_oauth)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    app.add_subapp("/api/v1", build_api(container))
    add_teams_routes(app, container)
    app.on_startup.append(_load_models)
    return app


async def _load_models(_: web.Application) -> None:
    """Import the scoring models (numpy, scipy) before the first request, in a thread: a
    first health card importing them on the event loop would hold every other request,
    acks included, for a second or more."""
    await asyncio.to_thread(importlib.import_module, SCORING)


async def slack_events(request: web.Request) -> web.StreamResponse:
    container = request.app[CONTAINER]
    slack_app = request.app.get(SLACK)
    if slack_app is None:
        return web.json_response(
            {"error": "Slack is not configured: set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN"},
            status=503,
        )
    started = time.perf_counter()
    bolt_request = await to_bolt_request(request)
    bolt_response = await slack_app.async_dispatch(bolt_request)
    kind = _kind(bolt_request.body)
    container.metrics.ack_latency.labels(kind).observe(time.perf_counter() - started)
    container.metrics.requests.labels(kind, _outcome(bolt_response.status)).inc()
    return await to_aiohttp_response(bolt_response)


async def slack_oauth(request: web.Request) -> web.StreamResponse:
    """Bolt's install flow: the install page (state cookie), then Slack's redirect back."""
    slack_app = request.app.get(SLACK)
    flow = slack_app.oauth_flow if slack_app is not None else None
    if flow is None:
        off = "installs are off: set SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, SLACK_SIGNING_SECRET"
        return web.json_response({"error": off}, status=404)
    bolt_request = await to_bolt_request(request)
    if request.path == flow.install_path:
        return await to_aiohttp_response(await flow.handle_installation(bolt_request))
    return await to_aiohttp_response(await flow.handle_callback(bolt_request))


async def healthz(request: web.Request) -> web.Response:
    if await request.app[CONTAINER].database_ok():
        return web.json_response({"status": "ok"})
    return web.json_response({"status": "unavailable", "database": "not answering"}, status=503)


async def metrics(request: web.Request) -> web.Response:
    body = request.app[CONTAINER].metrics.render()
    return web.Response(body=body, headers={"Content-Type": "text/plain; version=0.0.4"})


def _kind(body: dict[str, object]) -> str:
    if body.get("command"):
        return "command"
    if body.get("event"):
        return "event"
    return str(body.get("type") or "unknown")


def _outcome(status: int) -> str:
    return "ok" if status < 400 else ("refused" if status < 500 else "error")
