"""Shared fixtures: a fresh, migrated database per test on SQLite and PostgreSQL.

Migrations run once per session into a template (a SQLite file, a PostgreSQL template
database); each test gets a copy, so every test starts from the real schema quickly.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest

from bot.bootstrap import Container, build
from bot.settings import Settings
from storage.migrate import upgrade

PG_URL = os.environ.get("CRMBOT_PG_URL")
TEMPLATE_DB = f"crmbot_tmpl_{os.getpid()}_{uuid.uuid4().hex[:6]}"

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)]


def _pg_dsn(database: str) -> str:
    assert PG_URL is not None
    base = PG_URL.replace("postgresql+asyncpg://", "postgresql://")
    return base.rsplit("/", 1)[0] + "/" + database


def _async_url(database: str) -> str:
    assert PG_URL is not None
    return PG_URL.rsplit("/", 1)[0] + "/" + database


async def _pg_admin(sql: str) -> None:
    conn = await asyncpg.connect(_pg_dsn(PG_URL.rsplit("/", 1)[1] if PG_URL else "test"))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _pg_admin_sync(sql: str) -> None:
    """For session fixtures, which may be set up while a test's loop is running."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, _pg_admin(sql)).result()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "crmbot.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    if not PG_URL:
        pytest.skip("CRMBOT_PG_URL is not set")
    _pg_admin_sync(f'DROP DATABASE IF EXISTS "{TEMPLATE_DB}" WITH (FORCE)')
    _pg_admin_sync(f'CREATE DATABASE "{TEMPLATE_DB}"')
    upgrade(_async_url(TEMPLATE_DB))
    yield TEMPLATE_DB
    _pg_admin_sync(f'DROP DATABASE IF EXISTS "{TEMPLATE_DB}" WITH (FORCE)')


@pytest.fixture(params=BACKENDS)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A migrated, empty database of each backend."""
    if request.param == "sqlite":
        yield _sqlite_copy(request.getfixturevalue("sqlite_template"), tmp_path)
        return
    async with _pg_copy(request.getfixturevalue("pg_template")) as url:
        yield url


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    """A migrated, empty SQLite database, for what only SQLite has."""
    return _sqlite_copy(sqlite_template, tmp_path)


@pytest.fixture
async def pg_url(pg_template: str) -> AsyncIterator[str]:
    """A migrated, empty PostgreSQL database, for what only PostgreSQL has (CI sets
    CRMBOT_PG_URL, so these run there)."""
    async with _pg_copy(pg_template) as url:
        yield url


def _sqlite_copy(template: Path, tmp_path: Path) -> str:
    target = tmp_path / "crmbot.db"
    shutil.copy(template, target)
    return f"sqlite+aiosqlite:///{target}"


@contextlib.asynccontextmanager
async def _pg_copy(template: str) -> AsyncIterator[str]:
    name = f"crmbot_t_{uuid.uuid4().hex[:12]}"
    await _pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield _async_url(name)
    finally:
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class FixedClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 25, 17, 0, tzinfo=UTC))


def make_settings(database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "DATABASE_URL": database_url,
        "SLACK_SIGNING_SECRET": "test-signing-secret",
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "CRMBOT_DEFAULT_TZ": "UTC",
        "CRMBOT_API_TOKEN": "test-api-token",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


@pytest.fixture
async def container(database_url: str, clock: FixedClock) -> AsyncIterator[Container]:
    async with _container(database_url, clock) as built:
        yield built


@pytest.fixture
async def sqlite_container(sqlite_url: str, clock: FixedClock) -> AsyncIterator[Container]:
    async with _container(sqlite_url, clock) as built:
        yield built


@pytest.fixture
async def pg_container(pg_url: str, clock: FixedClock) -> AsyncIterator[Container]:
    async with _container(pg_url, clock) as built:
        yield built


@contextlib.asynccontextmanager
async def _container(url: str, clock: FixedClock) -> AsyncIterator[Container]:
    built = build(make_settings(url), clock=clock)
    try:
        yield built
    finally:
        await built.close()
