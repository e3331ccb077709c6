"""A property-based run over the API's own OpenAPI document (schemathesis).

The document is the one the app serves (``test_the_served_document_is_the_generated_one``
checks they are equal), loaded with ``from_dict`` at import: schemathesis 4.32's lazy
``from_fixture`` loader relies on a pytest node attribute that pytest 9.2 removed. Every
operation gets up to ``EXAMPLES``
generated requests (valid and invalid), authenticated, and each answer must be no 5xx
and must match the document's own schema for its status. Bounded so the suite stays
fast (about 20-30 s), and on SQLite only: the PostgreSQL behaviour of the same handlers
is covered by the example-based tests, and a second run would double the time.

Schemathesis calls the API with ``requests`` (blocking), so the app runs in a thread of
its own, with its own event loop and container, on a copy of the migrated template.
"""

from __future__ import annotations

import asyncio
import shutil
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from aiohttp import web
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from bot.api.openapi import openapi_document
from bot.bootstrap import Container, build
from bot.web import build_web_app
from domain.model import Activity, ActivityType, Client, Quote, Role, Surface, Task, User
from tests.api.conftest import TOKEN, write_policy
from tests.conftest import make_settings

EXAMPLES = 25
NOW = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)


async def _seed(container: Container) -> None:
    """The entities the document's examples name (C-1001, Q-1001, U0REP1...)."""
    async with container.uow() as uow:
        await uow.users.upsert_many(
            [User("U0REP1", "Rep One"), User("U0MGR1", "Boss", role=Role.MANAGER)]
        )
        await uow.clients.upsert_many([Client("C-1001", "Acme Corp", owner_slack_user_id="U0REP1")])
        await uow.quotes.upsert_many([Quote("Q-1001", "C-1001", "U0REP1", Decimal("12000.00"))])
        client_id = (await uow.clients.ids_for(["C-1001"]))["C-1001"]
        for day in range(3):
            at = NOW - timedelta(days=day)
            await uow.activities.add(
                Activity(client_id, ActivityType.CALL, f"call {day}", at, "U0REP1", Surface.API)
            )
            await uow.tasks.add(
                Task(f"task {day}", "U0REP1", at + timedelta(days=7), client_id=client_id)
            )
        await uow.commit()


class LiveApi(threading.Thread):
    """The real app on loopback, in a thread with its own loop, until ``stop()``."""

    def __init__(self, database_url: str, policy: Path) -> None:
        super().__init__(daemon=True)
        self.settings = make_settings(database_url, CRMBOT_CONFIG=str(policy))
        self.ready = threading.Event()
        self.base = ""
        self.failure: BaseException | None = None

    def run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:  # shown by the fixture, which would otherwise hang
            self.failure = exc
            self.ready.set()

    async def _serve(self) -> None:
        container = build(self.settings)
        await _seed(container)
        runner = web.AppRunner(build_web_app(container, None))
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        host, port = runner.addresses[0][:2]
        self.base = f"http://{host}:{port}"
        self._loop, self._halt = asyncio.get_running_loop(), asyncio.Event()
        self.ready.set()
        await self._halt.wait()
        await runner.cleanup()
        await container.close()

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._halt.set)
        self.join(timeout=10)


@pytest.fixture(scope="module")
def live_api(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("schemathesis")
    shutil.copy(sqlite_template, folder / "crmbot.db")
    policy = write_policy(folder / "crmbot.toml", "http://127.0.0.1:9/hooks")
    server = LiveApi(f"sqlite+aiosqlite:///{folder / 'crmbot.db'}", policy)
    server.start()
    assert server.ready.wait(30), "the API did not start"
    if server.failure is not None:
        raise server.failure
    yield server.base
    server.stop()


schema = schemathesis.openapi.from_dict(openapi_document())


def test_the_served_document_is_the_generated_one(live_api: str) -> None:
    served = requests.get(f"{live_api}/api/v1/openapi.json", timeout=10)
    assert served.status_code == 200
    assert served.json() == openapi_document()


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_error_and_every_answer_matches_the_document(case: Any, live_api: str) -> None:
    case.call_and_validate(
        base_url=live_api,
        headers={"Authorization": f"Bearer {TOKEN}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
