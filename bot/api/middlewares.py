"""The API's middlewares, outermost first: one error shape, bearer auth, rate limit.

``errors`` turns everything a request can end in into ``{"error": {...}}``: an
``ApiError``, aiohttp's own HTTP errors (no route 404, wrong method 405 with ``Allow``,
body too large 413), the domain's errors (an unknown reference is 409, a domain refusal
422), a lost race on a unique key (409), a database out of reach for now (503 with
``Retry-After``, never 500), and, only for a bug, 500 with the traceback logged.
``bearer_auth`` compares the whole header in constant time; with no token configured it
refuses everyone. ``rate_limit`` spends from the token's bucket.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.typedefs import Middleware
from sqlalchemy.exc import IntegrityError

from bot.api.errors import CODES, ApiError, error_response
from bot.api.ratelimit import TokenBuckets
from bot.faults import BUSY, RETRY_AFTER_SECONDS, database_unavailable, reason
from domain.errors import ClientNotFound, CrmError
from domain.services.erp import ChangedMeanwhile, UnknownReference

logger = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
OPENAPI_ROUTE = "openapi_document"


def _public(request: web.Request) -> bool:
    return request.match_info.route.name == OPENAPI_ROUTE


@web.middleware
async def errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except ApiError as exc:
        return exc.response()
    except web.HTTPException as exc:
        return _http_error(request, exc)
    except UnknownReference as exc:
        return error_response(409, "unknown_reference", str(exc), field=exc.column)
    except ChangedMeanwhile as exc:
        return error_response(409, "conflict", str(exc))
    except ClientNotFound as exc:
        return error_response(404, "not_found", exc.user_message())
    except CrmError as exc:
        return error_response(422, "invalid", exc.user_message())
    except IntegrityError:
        logger.info("api: %s %s lost a race on a unique key", request.method, request.path)
        return error_response(409, "conflict", "A concurrent request changed this; send again")
    except Exception as exc:
        if database_unavailable(exc):
            logger.warning("api: %s %s: database unavailable: %s", request.method, request.path,
                           reason(exc))  # fmt: skip
            retry = {"Retry-After": str(RETRY_AFTER_SECONDS)}
            return error_response(503, "unavailable", BUSY, headers=retry)
        logger.exception("api: %s %s failed", request.method, request.path)
        return error_response(500, "internal", "Something went wrong on our side")


def _http_error(request: web.Request, exc: web.HTTPException) -> web.Response:
    status = exc.status
    headers: dict[str, str] = {}
    if isinstance(exc, web.HTTPMethodNotAllowed):
        headers["Allow"] = ", ".join(sorted(exc.allowed_methods))
        message = f"{request.method} is not allowed here; use {headers['Allow']}"
    elif status == 404:
        message = f"No route {request.method} {request.path}"
    else:
        message = exc.reason
    return error_response(status, CODES.get(status, "error"), message, headers=headers)


def bearer_auth(token: str | None) -> Middleware:
    expected = f"Bearer {token}".encode() if token else None

    @web.middleware
    async def auth(request: web.Request, handler: Handler) -> web.StreamResponse:
        if _public(request):
            return await handler(request)
        given = request.headers.get("Authorization", "").encode("utf-8", "surrogateescape")
        if expected is None or not hmac.compare_digest(given, expected):
            raise ApiError(
                401,
                "Send Authorization: Bearer <CRMBOT_API_TOKEN>",
                headers={"WWW-Authenticate": 'Bearer realm="crmbot"'},
            )
        return await handler(request)

    return auth


def rate_limit(buckets: TokenBuckets) -> Middleware:
    @web.middleware
    async def limit(request: web.Request, handler: Handler) -> web.StreamResponse:
        if _public(request):
            return await handler(request)
        wait = buckets.take(request.headers.get("Authorization", ""))
        if wait > 0:
            retry = buckets.retry_after(wait)
            raise ApiError(
                429, f"Too many requests; retry in {retry} s", headers={"Retry-After": retry}
            )
        return await handler(request)

    return limit
