"""Pages of lists: ``?limit=`` (default 50, at most 200) and an opaque ``?cursor=``.

A cursor is the position after the last item of a page (base64url JSON, tagged with the
list it belongs to); the storage reads on from there by keyset, so pages neither skip
nor repeat rows when rows are added meanwhile. A cursor of another list, or one that
was altered, is a 422 naming ``cursor``.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from bot.api.errors import ApiError
from domain.imports_rows import identifier

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_CURSOR = 300  # characters: every cursor given out is far shorter
MAX_ROW_ID = 2**31 - 1
BAD_CURSOR = "cursor: not a cursor this list gave out"


def limit_of(request: web.Request) -> int:
    raw = request.query.get("limit")
    if raw is None:
        return DEFAULT_LIMIT
    if not raw.isascii() or not raw.isdigit() or len(raw) > 6 or not 1 <= int(raw) <= MAX_LIMIT:
        raise ApiError(422, f"limit: a whole number from 1 to {MAX_LIMIT}", field="limit")
    return int(raw)


def encode_cursor(kind: str, *position: Any) -> str:
    data = json.dumps([kind, *position], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def decode_cursor(request: web.Request, kind: str) -> list[Any] | None:
    """The position a cursor of list ``kind`` holds; None when no cursor was sent."""
    raw = request.query.get("cursor")
    if raw is None:
        return None
    data = None
    if len(raw) <= MAX_CURSOR:
        try:
            data = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
        except (binascii.Error, ValueError):
            data = None
    if not isinstance(data, list) or not data or data[0] != kind:
        raise ApiError(422, BAD_CURSOR, field="cursor")
    return data[1:]


def _row_id(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ROW_ID:
        raise ValueError("not a row id")
    return value


def time_key(request: web.Request, kind: str) -> tuple[datetime, int] | None:
    """A (time, id) position, as the activity and task lists use."""
    position = decode_cursor(request, kind)
    if position is None:
        return None
    try:
        at, last_id = position
        when = datetime.fromisoformat(at)
        if when.tzinfo is None:
            raise ValueError("a naive time")
        return when.astimezone(UTC), _row_id(last_id)
    except (TypeError, ValueError, OverflowError):
        raise ApiError(422, BAD_CURSOR, field="cursor") from None


def text_key(request: web.Request, kind: str) -> str | None:
    """An external-id position (ids hold no control character, so neither may this)."""
    position = decode_cursor(request, kind)
    if position is None:
        return None
    value = position[0] if len(position) == 1 else None
    try:
        if not isinstance(value, str):
            raise ValueError("not text")
        value.encode()  # a lone surrogate is no id, and no database would take it
        return identifier()(value)
    except ValueError:  # BadValue and UnicodeEncodeError are ValueErrors
        raise ApiError(422, BAD_CURSOR, field="cursor") from None


def offset_key(request: web.Request, kind: str, *, most: int) -> int:
    """An offset into a ranked list (search results), at most ``most``."""
    position = decode_cursor(request, kind)
    if position is None:
        return 0
    value = position[0] if len(position) == 1 else None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= most:
        raise ApiError(422, BAD_CURSOR, field="cursor")
    return value
