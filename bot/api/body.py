"""Reading a request: the path's id, a JSON body, and the entity it describes.

In order: 415 unless the body is ``application/json`` (UTF-8), 413 past ``MAX_BODY``,
400 for what is not JSON, 422 for a body of the wrong shape (pydantic) or with a value
the import rules refuse (``domain.imports``), naming the field either way.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from bot.api.errors import ApiError, from_validation
from domain.imports import Entity, spec_for
from domain.imports_rows import BadValue, Fields, identifier

MAX_BODY = 256 * 1024
ID_COLUMN = "external_id"
M = TypeVar("M", bound=BaseModel)


def path_id(request: web.Request) -> str:
    """The ``{external_id}`` of the path, checked as an import checks an id column."""
    raw = request.match_info[ID_COLUMN]
    try:
        raw.encode()  # a lone surrogate: no id, and no database takes it
        value = identifier()(raw)
    except UnicodeEncodeError:
        raise ApiError(422, f"{ID_COLUMN} in the path is not text", field=ID_COLUMN) from None
    except BadValue as exc:
        raise ApiError(422, f"{ID_COLUMN} in the path: {exc}", field=ID_COLUMN) from None
    if value != value.strip():
        raise ApiError(422, f"{ID_COLUMN} in the path has spaces around it", field=ID_COLUMN)
    return value


async def read_model(request: web.Request, model: type[M]) -> M:
    if request.content_type != "application/json":
        raise ApiError(415, "Send the body as Content-Type: application/json")
    if request.charset not in (None, "utf-8", "UTF-8"):
        raise ApiError(415, "Send the body as UTF-8 JSON")
    raw = await _read_limited(request)
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        raise from_validation(exc) from None


async def _read_limited(request: web.Request) -> bytes:
    too_large = ApiError(413, f"The body is larger than {MAX_BODY // 1024} KB")
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise too_large
    chunks, size = [], 0
    async for chunk in request.content.iter_any():
        size += len(chunk)
        if size > MAX_BODY:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def to_entity(kind: str, body: BaseModel, key: str) -> Entity:
    """The entity the body describes, keyed by the path's id, by the import's row rules."""
    given = getattr(body, ID_COLUMN, None)
    if given is not None and given.strip() != key:
        raise ApiError(
            422,
            f"{ID_COLUMN} {given!r} in the body differs from {key!r} in the path",
            field=ID_COLUMN,
        )
    spec = spec_for(kind)
    row = {name: _cell(value) for name, value in body.model_dump().items()}
    row[ID_COLUMN] = key
    fields = Fields(row)
    entity = spec.parse(fields)
    if fields.problems:
        first = fields.problems[0]
        column = next((c for c in spec.columns if first.startswith((c + " ", c + ":"))), None)
        raise ApiError(422, "; ".join(fields.problems[:10]), field=column)
    return entity


def _cell(value: object) -> str:
    """A JSON value as the CSV cell the import rules read."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    if isinstance(value, Decimal):
        return _decimal(value)
    return str(value)


def _decimal(value: Decimal) -> str:
    # 1E+2 is written 100; a far-out exponent stays as it is and is refused by the rules
    if value.is_finite() and -12 <= value.as_tuple().exponent <= 15:  # type: ignore[operator]
        return format(value, "f")
    return str(value)
