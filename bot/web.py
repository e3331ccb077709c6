"""The aiohttp application: Slack events, health, metrics and the REST prefix."""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.typedefs import Middleware
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp

from bot.bootstrap import Container

logger = logging.getLogger(__name__)

CONTAINER = web.AppKey("container", Container)
SLACK = web.AppKey("slack", AsyncApp)
MAX_BODY = 1024 * 1024
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def build_web_app(container: Container, slack_app: AsyncApp | None) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY)
    app[CONTAINER] = container
    if slack_app is not None:
        app[SLACK] = slack_app
    app.router.add_post("/slack/events", slack_events)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    app.add_subapp("/api/v1", build_api(container))
    return app


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


async def healthz(request: web.Request) -> web.Response:
    if await request.app[CONTAINER].database_ok():
        return web.json_response({"status": "ok"})
    return web.json_response({"status": "unavailable", "database": "not answering"}, status=503)


async def metrics(request: web.Request) -> web.Response:
    body = request.app[CONTAINER].metrics.render()
    return web.Response(body=body, headers={"Content-Type": "text/plain; version=0.0.4"})


def build_api(container: Container) -> web.Application:
    """``/api/v1``: bearer-token auth in front of every route (ERP integration issue)."""
    api = web.Application(middlewares=[_bearer_auth(container.settings.api_token)])
    api.router.add_route("*", "/{tail:.*}", _not_found)
    return api


def _bearer_auth(token: str | None) -> Middleware:
    @web.middleware
    async def auth(request: web.Request, handler: Handler) -> web.StreamResponse:
        given = request.headers.get("Authorization", "")
        expected = f"Bearer {token}" if token else None
        if expected is None or not hmac.compare_digest(given.encode(), expected.encode()):
            return api_error(401, "unauthorized", "Send Authorization: Bearer <CRMBOT_API_TOKEN>")
        return await handler(request)

    return auth


async def _not_found(request: web.Request) -> web.Response:
    return api_error(404, "not_found", f"No route {request.method} {request.path}")


def api_error(status: int, code: str, message: str, **extra: object) -> web.Response:
    return web.json_response({"error": {"code": code, "message": message, **extra}}, status=status)


def _kind(body: dict[str, object]) -> str:
    if body.get("command"):
        return "command"
    if body.get("event"):
        return "event"
    return str(body.get("type") or "unknown")


def _outcome(status: int) -> str:
    return "ok" if status < 400 else ("refused" if status < 500 else "error")
