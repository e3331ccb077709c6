"""The OpenAPI 3.1 document of ``/api/v1``, built from the route table and the pydantic
models (request bodies in validation mode, responses in serialization mode): nothing of
it is written by hand, so it cannot drift from what the handlers accept and answer."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode

from bot.api.routes import ROUTES, Route
from bot.api.schemas_out import ErrorOut

PREFIX = "/api/v1"
REF = "#/components/schemas/{model}"
ERRORS = {
    400: "The body is not JSON",
    401: "No valid bearer token (Authorization: Bearer $CRMBOT_API_TOKEN)",
    404: "No such entity",
    409: "The body names an entity that does not exist, or a concurrent change won",
    413: "The body is larger than 256 KB",
    415: "The body is not application/json",
    422: "A value is invalid; error.field names it",
    429: "Too many requests for this token; wait Retry-After seconds",
}
DESCRIPTION = (
    "ERP integration for crmbot. Every route but this document wants "
    "`Authorization: Bearer $CRMBOT_API_TOKEN`. Errors are one JSON shape, "
    '`{"error": {"code", "message", "field"}}`. Lists are paged with `limit` (default 50, '
    "at most 200) and the opaque `cursor` each page gives as `next_cursor`."
)


class _Schemas:
    """components/schemas, gathered model by model (nested models under their own names)."""

    def __init__(self) -> None:
        self.found: dict[str, Any] = {}

    def ref(self, model: type[BaseModel], mode: JsonSchemaMode) -> dict[str, str]:
        schema = model.model_json_schema(mode=mode, ref_template=REF)
        for name, nested in {**schema.pop("$defs", {}), model.__name__: schema}.items():
            if self.found.setdefault(name, nested) != nested:
                raise ValueError(f"two different schemas are both named {name!r}")
        return {"$ref": REF.format(model=model.__name__)}


def openapi_document(routes: tuple[Route, ...] = ROUTES) -> dict[str, Any]:
    schemas = _Schemas()
    paths: dict[str, dict[str, Any]] = {f"{PREFIX}/openapi.json": {"get": _document_operation()}}
    for route in routes:
        paths.setdefault(PREFIX + route.path, {})[route.method.lower()] = _operation(route, schemas)
    return {
        "openapi": "3.1.0",
        "info": {"title": "crmbot REST API", "version": "1", "description": DESCRIPTION},
        "paths": paths,
        "components": {
            "schemas": schemas.found,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
    }


def _operation(route: Route, schemas: _Schemas) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": route.operation_id,
        "summary": route.summary,
        "parameters": [
            {
                "name": p.name,
                "in": p.where,
                "required": p.required,
                "description": p.description,
                "schema": p.schema,
            }
            for p in route.params
        ],
        "responses": _responses(route, schemas),
    }
    if route.body is not None:
        body = schemas.ref(route.body, "validation")
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": body}},
        }
    return operation


def _responses(route: Route, schemas: _Schemas) -> dict[str, Any]:
    ok = schemas.ref(route.response, "serialization")
    responses: dict[str, Any] = {"200": _json("OK", ok)}
    if route.created:
        responses["200"] = _json("Updated, or unchanged (an identical body changes nothing)", ok)
        responses["201"] = _json("Created", ok)
    error = schemas.ref(ErrorOut, "serialization")
    for status in route.errors:
        responses[str(status)] = _json(ERRORS[status], error)
    if 429 in route.errors:
        responses["429"]["headers"] = {
            "Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}
        }
    responses["default"] = _json("Any other error, in the same shape", error)
    return responses


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _document_operation() -> dict[str, Any]:
    return {
        "operationId": "openapi_document",
        "summary": "This document (no authentication)",
        "security": [],
        "responses": {"200": _json("The OpenAPI document", {"type": "object"})},
    }
