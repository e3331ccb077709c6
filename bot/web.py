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
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    app.add_subapp("/api/v1", build_api(container))
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
