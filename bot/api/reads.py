"""The ``GET`` routes: a client, its lists (paged), its health, a quote, a search."""

from __future__ import annotations

from aiohttp import web

from bot.api.body import path_id
from bot.api.context import container_of, json_out
from bot.api.errors import ApiError
from bot.api.pagination import (
    encode_cursor,
    limit_of,
    offset_key,
    text_key,
    time_key,
)
from bot.api.schemas_out import (
    ActivityOut,
    ActivityPage,
    ClientOut,
    ClientPage,
    HealthOut,
    TaskOut,
    TaskPage,
)
from bot.api.writes import quote_out
from domain.model import Client, TaskStatus
from domain.ports_api import ApiUnitOfWork
from domain.services.erp_health import health_payload

SEARCH_DEPTH = 1000  # a search pages through its best thousand matches, no further


async def _client(uow: ApiUnitOfWork, external_id: str) -> Client:
    client = await uow.clients.get(external_id)
    if client is None or client.id is None:
        raise ApiError(404, f"No client {external_id!r}")
    return client


async def get_client(request: web.Request) -> web.Response:
    key = path_id(request)
    async with container_of(request).uow(read_only=True) as uow:
        return json_out(ClientOut.model_validate(await _client(uow, key)))


async def list_clients(request: web.Request) -> web.Response:
    """``?q=TEXT``: the best matches first (as ``/crm find``); else every client by id."""
    limit = limit_of(request)
    text = request.query.get("q")
    async with container_of(request).uow(read_only=True) as uow:
        if text is not None:
            start = offset_key(request, "search", most=SEARCH_DEPTH)
            matches = await uow.search.find_clients(
                text, limit=min(start + limit + 1, SEARCH_DEPTH)
            )
            found = [m.client for m in matches[start : start + limit + 1]]
            more = len(found) > limit and start + limit < SEARCH_DEPTH
            cursor = encode_cursor("search", start + limit) if more else None
        else:
            found = list(
                await uow.listings.clients_page(after=text_key(request, "clients"), limit=limit + 1)
            )
            more = len(found) > limit
            cursor = encode_cursor("clients", found[limit - 1].external_id) if more else None
    items = [ClientOut.model_validate(c) for c in found[:limit]]
    return json_out(ClientPage(items=items, next_cursor=cursor))


async def client_activities(request: web.Request) -> web.Response:
    key, limit = path_id(request), limit_of(request)
    async with container_of(request).uow(read_only=True) as uow:
        client = await _client(uow, key)
        assert client.id is not None
        page = await uow.listings.activities_page(
            client.id, before=time_key(request, "activities"), limit=limit + 1
        )
    items = [
        ActivityOut.model_validate({**vars(a), "client_external_id": key}) for a in page[:limit]
    ]
    last = page[limit - 1] if len(page) > limit else None
    cursor = encode_cursor("activities", last.occurred_at.isoformat(), last.id) if last else None
    return json_out(ActivityPage(items=items, next_cursor=cursor))


def _status(request: web.Request) -> TaskStatus | None:
    raw = request.query.get("status")
    if raw is None:
        return None
    try:
        return TaskStatus(raw)
    except ValueError:
        choices = ", ".join(s.value for s in TaskStatus)
        raise ApiError(422, f"status: one of {choices}", field="status") from None


async def client_tasks(request: web.Request) -> web.Response:
    key, limit, status = path_id(request), limit_of(request), _status(request)
    async with container_of(request).uow(read_only=True) as uow:
        client = await _client(uow, key)
        assert client.id is not None
        page = await uow.listings.tasks_page(
            client.id, after=time_key(request, "tasks"), status=status, limit=limit + 1
        )
    items = [TaskOut.model_validate({**vars(t), "client_external_id": key}) for t in page[:limit]]
    last = page[limit - 1] if len(page) > limit else None
    cursor = encode_cursor("tasks", last.due_at.isoformat(), last.id) if last else None
    return json_out(TaskPage(items=items, next_cursor=cursor))


async def client_health(request: web.Request) -> web.Response:
    from domain.services.scoring import card_scores  # loads the models on first use

    key = path_id(request)
    container = container_of(request)
    now = container.clock()
    async with container.uow(read_only=True) as uow:
        client = await _client(uow, key)
        assert client.id is not None
        snapshot = await uow.snapshots.load(client.id, now=now)
        if snapshot is None:
            raise ApiError(404, f"No client {key!r}")
        tiers = container.policy.scores.tiers.thresholds()
        found = await card_scores(uow, snapshot, now=now, thresholds=tiers)
    payload = health_payload(snapshot, now=now, kept=found.record, provisional=found.provisional)
    return json_out(HealthOut.model_validate(payload))


async def get_quote(request: web.Request) -> web.Response:
    key = path_id(request)
    async with container_of(request).uow(read_only=True) as uow:
        return json_out(await quote_out(uow, key))
