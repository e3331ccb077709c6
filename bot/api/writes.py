"""``PUT /api/v1/{clients,orders,invoices,payments,quotes}/{external_id}``.

Each is the same adapter: the path's id, the body, the entity (import rules), one call
to ``domain.services.erp.put`` in one unit of work, and the entity as stored. 201 when
it was created, else 200, also for an identical body (which changes nothing).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from pydantic import BaseModel

from bot.api.body import path_id, read_model, to_entity
from bot.api.context import container_of, json_out
from bot.api.errors import ApiError
from bot.api.schemas import Body, ClientIn, InvoiceIn, OrderIn, PaymentIn, QuoteIn
from bot.api.schemas_out import ClientOut, InvoiceOut, OrderOut, PaymentOut, QuoteOut
from domain.imports import Entity
from domain.ports import UnitOfWork
from domain.services import erp

logger = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Render = Callable[[UnitOfWork, Entity], Awaitable[BaseModel]]


async def quote_out(uow: UnitOfWork, external_id: str) -> QuoteOut:
    """The quote with its status and every decision; 404 when there is none."""
    quote = await uow.quotes.get(external_id)
    if quote is None or quote.id is None:
        raise ApiError(404, f"No quote {external_id!r}")
    decisions = await uow.quotes.decisions(quote.id)
    return QuoteOut.model_validate({**vars(quote), "decisions": [vars(d) for d in decisions]})


async def _client(uow: UnitOfWork, entity: Entity) -> BaseModel:
    stored = await uow.clients.get(getattr(entity, "external_id", ""))
    assert stored is not None, "just upserted"
    return ClientOut.model_validate(stored)


async def _quote(uow: UnitOfWork, entity: Entity) -> BaseModel:
    return await quote_out(uow, getattr(entity, "external_id", ""))


def _as(model: type[BaseModel]) -> Render:
    async def render(uow: UnitOfWork, entity: Entity) -> BaseModel:
        return model.model_validate(entity)

    return render


def put_handler(kind: str, body_model: type[Body], render: Render) -> Handler:
    async def put(request: web.Request) -> web.Response:
        key = path_id(request)
        entity = to_entity(kind, await read_model(request, body_model), key)
        container = container_of(request)
        now = container.clock()
        async with container.uow() as uow:
            done = await erp.put(
                uow,
                kind,
                entity,
                now=now,
                webhooks=container.webhooks,
                approvals=container.approvals,
            )
            out = await render(uow, entity)
            await uow.commit()
        if done.changed:
            logger.info("api: %s %s %s", kind, key, "created" if done.created else "updated")
        return json_out(out, 201 if done.created else 200)

    put.__name__ = f"put_{kind}"
    return put


put_client = put_handler("clients", ClientIn, _client)
put_order = put_handler("orders", OrderIn, _as(OrderOut))
put_invoice = put_handler("invoices", InvoiceIn, _as(InvoiceOut))
put_payment = put_handler("payments", PaymentIn, _as(PaymentOut))
put_quote = put_handler("quotes", QuoteIn, _quote)
