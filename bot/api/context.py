"""What the API's handlers share: the container, and how a model becomes a response."""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel

from bot.bootstrap import Container

CONTAINER = web.AppKey("crmbot_api_container", Container)


def container_of(request: web.Request) -> Container:
    return request.config_dict[CONTAINER]


def json_out(model: BaseModel, status: int = 200) -> web.Response:
    return web.Response(
        text=model.model_dump_json(), status=status, content_type="application/json"
    )
