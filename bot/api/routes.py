"""The route table of ``/api/v1``: what ``build_api`` registers and the OpenAPI document
describes, from one list, so the two cannot disagree."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from aiohttp import web
from pydantic import BaseModel

from bot.api import reads, writes
from bot.api.pagination import DEFAULT_LIMIT, MAX_LIMIT
from bot.api.schemas import ClientIn, InvoiceIn, OrderIn, PaymentIn, QuoteIn
from bot.api.schemas_out import (
    ActivityPage,
    ClientOut,
    ClientPage,
    HealthOut,
    InvoiceOut,
    OrderOut,
    PaymentOut,
    QuoteOut,
    TaskPage,
)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Param:
    name: str
    where: Literal["path", "query"]
    schema: dict[str, Any]
    description: str
    required: bool = False


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # under /api/v1
    handler: Handler
    operation_id: str
    summary: str
    response: type[BaseModel]
    body: type[BaseModel] | None = None
    params: tuple[Param, ...] = ()
    errors: tuple[int, ...] = field(default=(401, 404, 422, 429))

    @property
    def created(self) -> bool:
        return self.method == "PUT"


def _id(example: str) -> Param:
    return Param(
        "external_id",
        "path",
        {"type": "string", "minLength": 1, "maxLength": 64, "examples": [example]},
        "The ERP's id of the entity",
        required=True,
    )


LIMIT = Param(
    "limit",
    "query",
    {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
    f"Items per page: {DEFAULT_LIMIT} by default, at most {MAX_LIMIT}",
)
CURSOR = Param(
    "cursor",
    "query",
    {"type": "string", "maxLength": 300},
    "Opaque: the next_cursor of the previous page",
)
QUERY = Param(
    "q",
    "query",
    {"type": "string", "maxLength": 300},
    "Search text: ids, names, emails, tags (best matches first); omit to list every client",
)
STATUS = Param(
    "status",
    "query",
    {"type": "string", "enum": ["open", "done", "cancelled"]},
    "Only the tasks of this status",
)
PUT_ERRORS = (400, 401, 409, 413, 415, 422, 429)


def _put(plural: str, handler: Handler, body: type[BaseModel], out: type[BaseModel]) -> Route:
    noun = plural.removesuffix("s")
    summary = f"Create or update the {noun} with this id (an identical body changes nothing)"
    return Route(
        "PUT",
        f"/{plural}/{{external_id}}",
        handler,
        f"put_{noun}",
        summary,
        out,
        body=body,
        params=(_id(f"{noun[0].upper()}-1001"),),
        errors=PUT_ERRORS,
    )


def _get(
    path: str, handler: Handler, name: str, summary: str, out: type[BaseModel], *params: Param
) -> Route:
    key = _id("Q-1001" if path.startswith("/quotes") else "C-1001")
    return Route("GET", path, handler, name, summary, out, params=(key, *params))


ROUTES: tuple[Route, ...] = (
    Route(
        "GET",
        "/clients",
        reads.list_clients,
        "list_clients",
        "Search clients (q), or list them all by id",
        ClientPage,
        params=(QUERY, LIMIT, CURSOR),
        errors=(401, 422, 429),
    ),
    _put("clients", writes.put_client, ClientIn, ClientOut),
    _get("/clients/{external_id}", reads.get_client, "get_client", "A client", ClientOut),
    _get(
        "/clients/{external_id}/health",
        reads.client_health,
        "get_client_health",
        "A client's scores now, with the factors behind them",
        HealthOut,
    ),
    _get(
        "/clients/{external_id}/activities",
        reads.client_activities,
        "list_client_activities",
        "A client's logged activities, newest first",
        ActivityPage,
        LIMIT,
        CURSOR,
    ),
    _get(
        "/clients/{external_id}/tasks",
        reads.client_tasks,
        "list_client_tasks",
        "A client's tasks by due time",
        TaskPage,
        STATUS,
        LIMIT,
        CURSOR,
    ),
    _put("orders", writes.put_order, OrderIn, OrderOut),
    _put("invoices", writes.put_invoice, InvoiceIn, InvoiceOut),
    _put("payments", writes.put_payment, PaymentIn, PaymentOut),
    _put("quotes", writes.put_quote, QuoteIn, QuoteOut),
    _get(
        "/quotes/{external_id}",
        reads.get_quote,
        "get_quote",
        "A quote, its status and every approval decision",
        QuoteOut,
    ),
)
