"""The REST API's one error shape: ``{"error": {"code", "message", "field"?}}``.

Handlers raise ``ApiError``; the error middleware turns it, aiohttp's own HTTP errors
(404, 405, 413) and the domain's errors into that shape, so no route answers otherwise.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from aiohttp import web
from pydantic import ValidationError

CODES = {
    400: "invalid_json",
    401: "unauthorized",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "rate_limited",
    500: "internal",
    503: "unavailable",
}


class ApiError(Exception):
    """An answer other than success, with the field at fault when there is one."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.field = status, message, field
        self.code = code or CODES.get(status, "error")
        self.headers = dict(headers or {})

    def response(self) -> web.Response:
        return error_response(
            self.status, self.code, self.message, field=self.field, headers=self.headers
        )


def error_response(
    status: int,
    code: str,
    message: str,
    *,
    field: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> web.Response:
    detail: dict[str, str] = {"code": code, "message": message}
    if field is not None:
        detail["field"] = field
    return web.Response(
        status=status,
        text=json.dumps({"error": detail}, ensure_ascii=False),
        content_type="application/json",
        headers=headers,
    )


def from_validation(exc: ValidationError) -> ApiError:
    """The first problem names the field (the top-level key); the message lists them all."""
    errors = exc.errors(include_url=False, include_input=False)
    if any(e["type"] == "json_invalid" for e in errors):
        return ApiError(400, "The body is not valid JSON: " + errors[0]["msg"])
    first = errors[0]
    loc = first["loc"]
    field = str(loc[0]) if loc else None
    messages = [_message(e["loc"], e["msg"]) for e in errors[:10]]
    return ApiError(422, "; ".join(messages), field=field)


def _message(loc: tuple[int | str, ...], msg: str) -> str:
    return f"{loc[0]}: {msg}" if loc else msg
