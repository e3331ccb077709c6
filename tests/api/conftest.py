"""The REST API on loopback, on SQLite and PostgreSQL, with a local webhook receiver.

``api`` runs the real aiohttp app (``build_web_app``) of a container whose policy file
names one webhook endpoint, ``erp``, at ``receiver``: a local aiohttp server that keeps
every request and answers with the statuses a test queues (200 when none is queued).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from multidict import CIMultiDictProxy

from bot.bootstrap import Container, build
from bot.web import build_web_app
from domain.model import Role, User
from tests.conftest import FixedClock, make_settings

TOKEN = "test-api-token"
SECRET = "whsec-test-secret"

ACME = {
    "name": "Acme Corp",
    "owner_slack_user_id": "U2",
    "email": "buyer@acme.example",
    "credit_limit": "50000",
    "payment_terms_days": 30,
    "tags": ["retail", "eu"],
}
ORDER = {"client_external_id": "C-1", "ordered_at": "2026-10-01", "amount": 1200.5}
INVOICE = {
    "client_external_id": "C-1",
    "issued_at": "2026-10-01T00:00:00Z",
    "due_at": "2026-10-31",
    "amount": "1200.50",
    "order_external_id": "O-1",
}
QUOTE = {
    "client_external_id": "C-1",
    "requested_by_slack_user_id": "U2",
    "total": "12000",
    "discount_pct": 5,
    "valid_until": "2026-12-31",
    "description": "Spring restock",
}


@dataclass
class Received:
    headers: CIMultiDictProxy[str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A webhook endpoint: records requests, answers the queued statuses in turn."""

    url: str = ""
    requests: list[Received] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.Response:
        self.requests.append(Received(request.headers, await request.read()))
        status = self.statuses.pop(0) if self.statuses else 200
        return web.Response(status=status, text="ok" if status < 300 else "no")


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    found = Receiver()
    app = web.Application()
    app.router.add_post("/hooks", found.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    found.url = f"http://{host}:{port}/hooks"
    yield found
    await runner.cleanup()


def write_policy(
    path: Path, receiver_url: str, *, per_minute: int = 60_000, burst: int = 10_000
) -> Path:
    path.write_text(
        f"""
[api]
requests_per_minute = {per_minute}
burst = {burst}

[webhooks]
timeout_seconds = 5

[[webhooks.endpoints]]
name = "erp"
url = "{receiver_url}"
secret = "{SECRET}"
""",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def policy_path(tmp_path: Path, receiver: Receiver) -> Path:
    return write_policy(tmp_path / "crmbot.toml", receiver.url)


@pytest.fixture
async def api_container(
    database_url: str, clock: FixedClock, policy_path: Path
) -> AsyncIterator[Container]:
    container = build(make_settings(database_url, CRMBOT_CONFIG=str(policy_path)), clock=clock)
    try:
        yield container
    finally:
        await container.close()


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any
    headers: CIMultiDictProxy[str]

    @property
    def error(self) -> dict[str, Any]:
        return dict(self.body["error"])


class ApiClient:
    def __init__(self, http: aiohttp.ClientSession, base: str) -> None:
        self.http, self.base = http, base

    async def call(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        data: Any = None,
        headers: dict[str, str] | None = None,
        token: str | None = TOKEN,
        params: dict[str, str] | None = None,
    ) -> Reply:
        sent = {"Authorization": f"Bearer {token}"} if token is not None else {}
        if body is not None:
            data, sent["Content-Type"] = json.dumps(body), "application/json"
        sent.update(headers or {})
        url = f"{self.base}/api/v1{path}"
        async with self.http.request(method, url, data=data, headers=sent, params=params) as r:
            text = await r.text()
            parsed = json.loads(text) if text and r.content_type == "application/json" else text
            return Reply(r.status, parsed, r.headers)

    async def put(self, path: str, body: Any, **kwargs: Any) -> Reply:
        return await self.call("PUT", path, body=body, **kwargs)

    async def get(self, path: str, **params: str) -> Reply:
        return await self.call("GET", path, params=params or None)


async def serve(container: Container) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(build_web_app(container, None))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    return runner, f"http://{host}:{port}"


@pytest.fixture
async def api(api_container: Container) -> AsyncIterator[ApiClient]:
    runner, base = await serve(api_container)
    async with aiohttp.ClientSession() as http:
        yield ApiClient(http, base)
    await runner.cleanup()


async def add_users(container: Container) -> None:
    """U1 manages U2 (a rep); F1 is in finance."""
    async with container.uow() as uow:
        await uow.users.upsert_many(
            [
                User("U1", "Ann Boss", role=Role.MANAGER),
                User("U2", "Bob Rep", manager_slack_user_id="U1"),
                User("F1", "Fay Finance", role=Role.FINANCE),
            ]
        )
        await uow.commit()


def assert_error(reply: Reply, status: int, code: str, field: str | None = None) -> None:
    assert reply.status == status, reply.body
    assert reply.headers["Content-Type"].startswith("application/json")
    assert set(reply.body) == {"error"}
    assert reply.error["code"] == code and reply.error["message"]
    assert reply.error.get("field") == field
