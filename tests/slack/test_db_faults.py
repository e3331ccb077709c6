"""Issue #10, faults: the database out of reach for a while (SQLite locked by another
process past the busy timeout; PostgreSQL killing every connection, as a restart does,
between requests, in the middle of one, and in the middle of a job).

Requests must fail politely — an ephemeral "busy, nothing was saved" to a command or a
button, a field error that keeps a form open, 503 with ``Retry-After`` from the REST
API and ``/healthz``, exit 1 with one line from the CLI — never the generic oops, a 500
or a traceback; a job cycle logs one warning; and once the database answers again the
next request and the next tick work, with nothing half-saved in between.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
import sqlite3
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import aiohttp
import asyncpg
import pytest
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.util import await_only

import storage.db
from bot.bootstrap import Container, build
from bot.cli import main as cli_main
from bot.faults import BUSY
from bot.localslack import LocalSlack
from schedulers.ticker import Ticker
from storage.models import ActivityRow, TaskRow
from tests.conftest import FixedClock, make_settings
from tests.slack.chat_fixtures import REP, buttons, click, reply, rows, seed, text_of
from tests.slack.conftest import SlackUser, start_app
from tests.slack.test_chat_modals import opened_view, submission

HEADERS = {"Authorization": "Bearer test-api-token"}
JSON = {"Content-Type": "application/json"}
JOBS = ("reminders", "outbox")


@pytest.fixture
async def locked_app(
    sqlite_url: str, clock: FixedClock, slack: LocalSlack, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[Container, SlackUser]]:
    """The app on SQLite with a short busy timeout, so a held lock fails fast."""
    monkeypatch.setattr(storage.db, "SQLITE_BUSY_TIMEOUT_MS", 200)
    container = build(make_settings(sqlite_url, SLACK_API_URL=slack.api_url), clock=clock)
    runner, base = await start_app(container)
    try:
        async with aiohttp.ClientSession() as http:
            yield container, SlackUser(http, base, slack)
    finally:
        await runner.cleanup()
        await container.close()


@contextlib.contextmanager
def exclusive_lock(url: str) -> Iterator[None]:
    """Another process's writer holding ``BEGIN EXCLUSIVE`` on the database file."""
    other = sqlite3.connect(str(make_url(url).database), isolation_level=None)
    try:
        other.execute("BEGIN EXCLUSIVE")
        yield
        other.execute("ROLLBACK")
    finally:
        other.close()


async def _api(user: SlackUser, method: str, path: str, **kw: Any) -> tuple[int, dict[str, str]]:
    async with user.http.request(method, f"{user.base}{path}", headers=HEADERS, **kw) as r:
        await r.read()
        return r.status, dict(r.headers)


def _no_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    loud = [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert not loud, [r.getMessage() for r in loud]


async def test_a_locked_sqlite_gets_polite_answers_everywhere(
    locked_app: tuple[Container, SlackUser],
    slack: LocalSlack,
    sqlite_url: str,
    clock: FixedClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    container, user = locked_app
    await seed(container, slack)
    await user.command("task C3: call back | tomorrow 8am")
    await user.command("tasks")
    done = buttons(await reply(slack, 2))[0]
    view = await opened_view(user, slack, "log")
    caplog.set_level(logging.WARNING)
    with exclusive_lock(sqlite_url):
        assert await user.command("log call C1: while locked") == (200, "")
        assert _busy(await reply(slack, 3))
        assert await user.interact(click(REP, done, response_url=slack.response_url("d1"))) == (
            200,
            "",
        )
        assert _busy(await reply(slack, 4))
        status, answer = await user.interact(submission(view, _log_form("typed while locked")))
        assert status == 200
        assert answer["response_action"] == "errors"
        assert list(answer["errors"].values()) == [BUSY]
        status, headers = await _api(user, "PUT", "/api/v1/clients/C9", json={"name": "Nine"})
        assert (status, headers.get("Retry-After")) == (503, "30")
        # a read needs no write lock (storage/db.py: read-only units are WAL readers),
        # so it may still answer; if it cannot, it says so the same way
        status, headers = await _api(user, "GET", "/api/v1/clients/C1")
        assert status == 200 or (status, headers.get("Retry-After")) == (503, "30")
        assert (await _api(user, "GET", "/healthz"))[0] == 503
        status, options = await user.interact(_typeahead(view, "acme"))
        assert status == 200 and options["options"], "a read-only typeahead goes on"
        assert (await user.post(_home_opened(), headers=JSON))[0] == 200
    _no_tracebacks(caplog)
    assert not slack.calls_to("chat.postMessage"), "an event nobody asked about gets no DM"
    assert await rows(container, ActivityRow) == [], "nothing was half-saved"
    # the lock is gone: the same things work again
    assert await user.interact(click(REP, done, response_url=slack.response_url("d2")))
    assert "Done" in text_of(await reply(slack, 5))
    status, answer = await user.interact(submission(view, _log_form("typed again")))
    assert (status, answer) == (200, "")
    assert (await _api(user, "PUT", "/api/v1/clients/C9", json={"name": "Nine"}))[0] == 201
    assert (await _api(user, "GET", "/healthz"))[0] == 200
    [activity] = await rows(container, ActivityRow)
    assert activity.notes == "typed again"


async def test_a_job_cycle_under_a_lock_warns_once_and_the_next_tick_resumes(
    locked_app: tuple[Container, SlackUser],
    slack: LocalSlack,
    sqlite_url: str,
    clock: FixedClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    container, user = locked_app
    await seed(container, slack)
    await user.command("task C3: call back | tomorrow 8am")
    await reply(slack)
    clock.now = datetime(2026, 11, 27, 0, 0, tzinfo=UTC)  # the reminder is due
    ticker = Ticker(container, jobs=JOBS)
    caplog.set_level(logging.WARNING)
    with exclusive_lock(sqlite_url):
        await ticker.tick()
    warnings = [r.getMessage() for r in caplog.records if r.name == "schedulers.ticker"]
    assert len(warnings) == len(JOBS)
    assert all("database unavailable" in w for w in warnings)
    assert "database is locked" in warnings[0]
    _no_tracebacks(caplog)
    assert not slack.calls_to("chat.postMessage")
    assert _runs(container, "reminders", "db_unavailable") == 1
    await ticker.tick()
    [dm] = await slack.wait_for("chat.postMessage")
    assert "call back" in text_of(dm.args)
    [task] = await rows(container, TaskRow)
    assert task.status == "open"


async def test_the_cli_says_one_line_and_exits_1(
    locked_app: tuple[Container, SlackUser],
    sqlite_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    with exclusive_lock(sqlite_url):
        code = await asyncio.to_thread(_cli, ["run-job", "reminders"])
    assert code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith("crmbot: the database is unavailable (")
    assert "locked" in err[0] and "Traceback" not in err[0]


def _cli(argv: list[str]) -> int:
    with contextlib.redirect_stdout(io.StringIO()):
        return cli_main(argv)


def _runs(container: Container, job: str, outcome: str) -> float:
    value = container.metrics.registry.get_sample_value(
        "crmbot_job_runs_total", {"job": job, "outcome": outcome}
    )
    return value or 0.0


def _log_form(notes: str) -> dict[str, dict[str, Any]]:
    return {
        "client": {"type": "external_select", "selected_option": {"value": "C1"}},
        "type": {"type": "static_select", "selected_option": {"value": "call"}},
        "notes": {"type": "plain_text_input", "value": notes},
    }


def _typeahead(view: dict[str, Any], value: str) -> dict[str, Any]:
    return {
        "type": "block_suggestion", "team": {"id": "T0001"}, "user": {"id": REP},
        "api_app_id": "A0001", "action_id": "client", "block_id": "client",
        "value": value, "view": view,
    }  # fmt: skip


def _home_opened() -> str:
    event = {"type": "app_home_opened", "user": REP, "channel": "D0HOME", "tab": "home"}
    return json.dumps(
        {
            "team_id": "T0001", "api_app_id": "A0001", "type": "event_callback",
            "event_id": f"Ev{uuid.uuid4().hex[:10]}", "event_time": int(time.time()),
            "event": {**event, "event_ts": f"{time.time():.6f}"},
        }
    )  # fmt: skip


def _busy(message: dict[str, Any]) -> bool:
    text = text_of(message)
    return BUSY in text and "went wrong" not in text


# --- PostgreSQL: every connection killed between requests, and in the middle of a job


async def _kill_connections(url: str) -> int:
    """What a server restart does to the app's connections (the server itself stays up:
    others use it): terminate every other backend of this test's database."""
    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(dsn)
    try:
        return int(
            await conn.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    finally:
        await conn.close()


@pytest.fixture
async def pg_app(
    pg_url: str, clock: FixedClock, slack: LocalSlack
) -> AsyncIterator[tuple[Container, SlackUser]]:
    container = build(make_settings(pg_url, SLACK_API_URL=slack.api_url), clock=clock)
    runner, base = await start_app(container)
    try:
        async with aiohttp.ClientSession() as http:
            yield container, SlackUser(http, base, slack)
    finally:
        await runner.cleanup()
        await container.close()


@pytest.mark.pg
async def test_postgres_killing_connections_between_requests_is_invisible(
    pg_app: tuple[Container, SlackUser], slack: LocalSlack, pg_url: str
) -> None:
    container, user = pg_app
    await seed(container, slack)
    await user.command("log call C1: before the restart")
    assert "Logged" in text_of(await reply(slack))
    assert (await _api(user, "PUT", "/api/v1/clients/C9", json={"name": "Nine"}))[0] == 201
    assert await _kill_connections(pg_url) >= 1, "the app held pooled connections"
    await user.command("log call C1: after the restart")
    assert "Logged" in text_of(await reply(slack, 2))
    assert await _kill_connections(pg_url) >= 1
    assert (await _api(user, "PUT", "/api/v1/clients/C9", json={"name": "Nine!"}))[0] == 200
    assert (await _api(user, "GET", "/healthz"))[0] == 200
    notes = sorted(a.notes for a in await rows(container, ActivityRow))
    assert notes == ["after the restart", "before the restart"]


@pytest.mark.pg
async def test_postgres_killing_a_job_mid_run_resumes_on_the_next_tick(
    pg_app: tuple[Container, SlackUser],
    slack: LocalSlack,
    pg_url: str,
    clock: FixedClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    container, user = pg_app
    await seed(container, slack)
    await user.command("task C3: call back | tomorrow 8am")
    await reply(slack)
    clock.now = datetime(2026, 11, 27, 0, 0, tzinfo=UTC)  # the reminder is due
    killed: list[str] = []

    def kill_on_first_task_read(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if not killed and "tasks" in statement:  # the reminders job, mid-run
            killed.append(statement)
            await_only(_kill_connections(pg_url))

    event.listen(container.engine.sync_engine, "before_cursor_execute", kill_on_first_task_read)
    ticker = Ticker(container, jobs=JOBS)
    caplog.set_level(logging.WARNING)
    await ticker.tick()
    assert killed, "the job never read its tasks"
    warnings = [r.getMessage() for r in caplog.records if r.name == "schedulers.ticker"]
    assert len(warnings) == 1 and "job reminders: database unavailable" in warnings[0]
    _no_tracebacks(caplog)
    assert not slack.calls_to("chat.postMessage")
    await ticker.tick()
    [dm] = await slack.wait_for("chat.postMessage")
    assert "call back" in text_of(dm.args)


@pytest.mark.pg
async def test_postgres_killing_connections_mid_request_fails_politely(
    pg_app: tuple[Container, SlackUser],
    slack: LocalSlack,
    pg_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    container, user = pg_app
    await seed(container, slack)
    armed: list[str] = []

    def kill_on(table: str) -> None:
        armed.append(table)

    def killer(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if armed and f"INSERT INTO {armed[0]}" in statement:
            armed.clear()
            await_only(_kill_connections(pg_url))

    event.listen(container.engine.sync_engine, "before_cursor_execute", killer)
    caplog.set_level(logging.WARNING)
    kill_on("activities")
    assert await user.command("log call C1: cut off") == (200, "")
    assert _busy(await reply(slack))
    assert armed == [], "the insert was cut off"
    kill_on("clients")
    status, headers = await _api(user, "PUT", "/api/v1/clients/C9", json={"name": "Nine"})
    assert (status, headers.get("Retry-After")) == (503, "30")
    assert armed == []
    _no_tracebacks(caplog)
    assert await rows(container, ActivityRow) == [], "nothing was half-saved"
    await user.command("log call C1: next one")
    assert "Logged" in text_of(await reply(slack, 2))
    assert (await _api(user, "PUT", "/api/v1/clients/C9", json={"name": "Nine"}))[0] == 201
