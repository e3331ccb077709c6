"""``build_api``: the ``/api/v1`` sub-application, from the route table."""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

from aiohttp import web

from bot.api.context import CONTAINER
from bot.api.middlewares import OPENAPI_ROUTE, bearer_auth, errors, rate_limit
from bot.api.openapi import openapi_document
from bot.api.ratelimit import TokenBuckets
from bot.api.routes import ROUTES
from bot.bootstrap import Container

logger = logging.getLogger(__name__)


def build_api(container: Container) -> web.Application:
    """Every route of CONTRACT §3 under ``/api/v1``; reads the policy file now, so that
    ``serve`` stops at start on a bad one."""
    limits = container.policy.api
    buckets = TokenBuckets(per_minute=limits.requests_per_minute, burst=limits.burst)
    api = web.Application(
        middlewares=[
            errors,
            bearer_auth(container.settings.api_token),
            rate_limit(buckets),
        ]
    )
    api[CONTAINER] = container
    api.router.add_get("/openapi.json", openapi, name=OPENAPI_ROUTE)
    for route in ROUTES:
        api.router.add_route(route.method, route.path, route.handler, name=route.operation_id)
    if not container.settings.api_token:
        logger.warning("CRMBOT_API_TOKEN is not set: /api/v1 answers 401 to every request")
    return api


@cache
def _document() -> dict[str, Any]:
    return openapi_document()


async def openapi(request: web.Request) -> web.Response:
    return web.json_response(_document())
