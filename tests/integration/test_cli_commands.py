"""``crmbot`` commands against real databases (CONTRACT §2), on SQLite and PostgreSQL.

The tests call ``bot.cli.main`` as the console script does, from a test directory of
their own (so no ``.env`` is read) with ``DATABASE_URL`` in the environment. ``main``
runs its own event loop, so the tests are synchronous and prepare data through
``asyncio.run``.
"""

from __future__ import annotations

import asyncio
import functools
import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import func, select

from bot import commands
from bot.bootstrap import Container, build
from bot.cli import main
from schedulers.jobs import REQUEST_IDS_KEPT
from storage.db import is_sqlite
from storage.models import ClientRow, OrderRow
from tests.conftest import FixedClock, _async_url, _pg_admin, make_settings

T = TypeVar("T")
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "CRMBOT_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("CRMBOT_DEFAULT_TZ", raising=False)


@pytest.fixture
def use_db(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], str]:
    def use(url: str) -> str:
        monkeypatch.setenv("DATABASE_URL", url)
        return url

    return use


@pytest.fixture
def pinned_clock(monkeypatch: pytest.MonkeyPatch) -> FixedClock:
    """The commands' clock reads ``NOW`` (demo data is anchored to the start of its day)."""
    clock = FixedClock(NOW)
    monkeypatch.setattr(commands, "build", functools.partial(build, clock=clock))
    return clock


def on(url: str, work: Callable[[Container], Awaitable[T]]) -> T:
    """Run ``work`` against the database at ``url`` in a loop of its own."""

    async def go() -> T:
        container = build(make_settings(url), clock=FixedClock(NOW))
        try:
            return await work(container)
        finally:
            await container.close()

    return asyncio.run(go())


async def _count(container: Container, model: type) -> int:
    async with container.engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(model))).scalar_one())


def clients_in(url: str) -> int:
    return on(url, lambda c: _count(c, ClientRow))


def one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err.strip()


# --- db upgrade --------------------------------------------------------------------------


def test_db_upgrade_creates_a_fresh_sqlite_database_and_is_idempotent(
    tmp_path: Path, use_db: Callable[[str], str], capsys: pytest.CaptureFixture[str]
) -> None:
    url = use_db(f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}")
    assert main(["db", "upgrade"]) == 0
    assert main(["db", "upgrade"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [f"database is up to date ({url})"] * 2
    assert clients_in(url) == 0


def test_db_upgrade_is_idempotent(
    database_url: str, use_db: Callable[[str], str], capsys: pytest.CaptureFixture[str]
) -> None:
    use_db(database_url)
    assert main(["db", "upgrade"]) == 0
    assert main(["db", "upgrade"]) == 0
    assert capsys.readouterr().out.count("database is up to date") == 2
    assert clients_in(database_url) == 0


def test_a_dot_env_in_the_working_directory_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    (tmp_path / ".env").write_text(f"DATABASE_URL=sqlite+aiosqlite:///{tmp_path / 'dotenv.db'}\n")
    assert main(["db", "upgrade"]) == 0
    assert (tmp_path / "dotenv.db").is_file()


# --- demo-data and audit -----------------------------------------------------------------


def test_demo_data_fills_exactly_n_clients_and_is_audited(
    database_url: str,
    use_db: Callable[[str], str],
    pinned_clock: FixedClock,
    capsys: pytest.CaptureFixture[str],
) -> None:
    use_db(database_url)
    assert main(["demo-data", "--clients", "25", "--seed", "3"]) == 0
    assert "25 clients" in capsys.readouterr().out
    assert clients_in(database_url) == 25

    assert main(["audit"]) == 0
    entries = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    demo = [e for e in entries if e[3] == "demo-data"]
    assert [e[:5] for e in demo] == [[NOW.isoformat(), "cli", "cli", "demo-data", "database:-"]]
    assert demo[0][5].startswith("clients=25; seed=3; orders=")
    # the rest: the demo's pending quotes asking their approvers, one entry each
    assert {e[3] for e in entries if e not in demo} <= {"quote.approval_requested"}

    assert main(["audit", "--since", "2026-11-23T08:00:01"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and "no audit entries match" in captured.err
    assert main(["audit", "--client", "C00001"]) == 0
    assert "demo-data" not in capsys.readouterr().out, "the demo entry is not about C00001"

    assert main(["demo-data", "--clients", "5"]) == 1
    assert one_line_error(capsys).startswith("crmbot: the database already holds 25 clients")
    assert clients_in(database_url) == 25


def _empty_database(kind_of: str, tmp_path: Path) -> Iterator[str]:
    """A database with nothing in it, not even the schema, of the same backend."""
    if is_sqlite(kind_of):
        yield f"sqlite+aiosqlite:///{tmp_path / f'empty-{uuid.uuid4().hex[:6]}.db'}"
        return
    name = f"crmbot_cli_{uuid.uuid4().hex[:12]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield _async_url(name)
    finally:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _table(container: Container, model: type[ClientRow | OrderRow]) -> list[Any]:
    """Every row, every column but ``updated_at`` (when the row was written, not data)."""
    table = model.__table__
    columns = [column for column in table.columns if column.name != "updated_at"]
    async with container.engine.connect() as conn:
        rows = await conn.execute(select(*columns).order_by(table.c.external_id))
        return [tuple(row) for row in rows]


def test_the_same_seed_gives_the_same_data(
    database_url: str,
    tmp_path: Path,
    use_db: Callable[[str], str],
    pinned_clock: FixedClock,
) -> None:
    first = use_db(database_url)
    assert main(["demo-data", "--clients", "40", "--seed", "9"]) == 0
    pinned_clock.now = NOW + timedelta(hours=5)  # later the same day: the same data
    for second in _empty_database(database_url, tmp_path):
        use_db(second)
        assert main(["demo-data", "--clients", "40", "--seed", "9"]) == 0  # migrates first
        for model in (ClientRow, OrderRow):
            rows = on(first, functools.partial(_table, model=model))
            assert rows == on(second, functools.partial(_table, model=model)), model
            assert len(rows) >= 40
    assert clients_in(first) == 40


# --- db backup (SQLite) ------------------------------------------------------------------


@pytest.fixture
def demo_sqlite(
    sqlite_url: str, use_db: Callable[[str], str], capsys: pytest.CaptureFixture[str]
) -> Path:
    use_db(sqlite_url)
    assert main(["demo-data", "--clients", "25", "--seed", "3"]) == 0
    capsys.readouterr()
    return Path(sqlite_url.removeprefix("sqlite+aiosqlite:///"))


def _open_copy(path: Path) -> tuple[int, str]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        (count,) = conn.execute("SELECT count(*) FROM clients").fetchone()
        (name,) = conn.execute("SELECT name FROM clients WHERE external_id = 'C00001'").fetchone()
    return int(count), str(name)


def test_db_backup_is_a_valid_copy(
    demo_sqlite: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "backup.db"
    assert main(["db", "backup", str(copy)]) == 0
    assert capsys.readouterr().out == f"backed up to {copy}\n"
    assert _open_copy(copy)[0] == 25
    before = copy.stat().st_mtime_ns
    assert main(["db", "backup", str(copy)]) == 1
    assert one_line_error(capsys) == f"crmbot: {copy} already exists; choose a new file"
    assert copy.stat().st_mtime_ns == before, "an existing file is never overwritten"


def test_db_backup_while_a_writer_holds_a_transaction(
    demo_sqlite: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    writer = sqlite3.connect(demo_sqlite, isolation_level=None)
    try:
        (name,) = writer.execute("SELECT name FROM clients WHERE external_id = 'C00001'").fetchone()
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE clients SET name = 'half-done' WHERE external_id = 'C00001'")
        writer.execute("DELETE FROM clients WHERE external_id = 'C00025'")
        assert main(["db", "backup", "during.db"]) == 0
        writer.execute("COMMIT")
    finally:
        writer.close()
    # the copy is the last committed state: none of the open transaction's changes
    assert _open_copy(tmp_path / "during.db") == (25, name)
    assert main(["db", "backup", "after.db"]) == 0
    assert _open_copy(tmp_path / "after.db") == (24, "half-done")


# --- user errors that reach the database -------------------------------------------------


def test_user_errors_exit_1_with_one_line(
    database_url: str,
    use_db: Callable[[str], str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    use_db(database_url)
    from schedulers.jobs import JOBS, JobSpec

    monkeypatch.setitem(JOBS, "digest", JobSpec("digest", "not built in this test"))
    expected = {
        ("import", "clients", "missing.csv"): "missing.csv: no such file; nothing imported",
        ("run-job", "nope"): "crmbot: run-job nope: no such job; the jobs are: reminders",
        ("run-job", "digest"): "crmbot: run-job digest: the digest job arrives with",
        ("scores", "--as-of", "junk"): "crmbot: --as-of 'junk' is not an ISO-8601 date",
        ("audit", "--since", "junk"): "crmbot: --since 'junk' is not an ISO-8601 date",
    }
    for argv, message in expected.items():
        assert main(list(argv)) == 1, argv
        assert one_line_error(capsys).startswith(message), argv


def test_the_script_exits_with_the_contract_codes(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CRMBOT_"))}
    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'p.db'}"
    script = [sys.executable, "-m", "bot.cli"]
    for argv, code in ((["frob"], 2), (["run-job", "nope"], 1), (["db", "upgrade"], 0)):
        done = subprocess.run(
            [*script, *argv],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == code, (argv, done.stderr)
        assert "Traceback" not in done.stderr


# --- run-job -----------------------------------------------------------------------------


def test_run_job_outbox_at_a_given_time(
    database_url: str, use_db: Callable[[str], str], capsys: pytest.CaptureFixture[str]
) -> None:
    use_db(database_url)
    assert main(["run-job", "outbox", "--now", "2026-11-23T08:00"]) == 0
    assert capsys.readouterr().out.startswith("outbox at 2026-11-23T08:00:00+00:00: claimed 0")


async def _remember(container: Container, keys: dict[str, datetime]) -> None:
    async with container.uow() as uow:
        for key, at in keys.items():
            assert await uow.requests.first_time(key, now=at)
        await uow.commit()


async def _seen_again(container: Container, keys: list[str]) -> dict[str, bool]:
    async with container.uow() as uow:  # not committed: only asks
        return {key: not await uow.requests.first_time(key, now=NOW) for key in keys}


def test_housekeeping_forgets_old_request_ids_and_still_catches_retries(
    database_url: str, use_db: Callable[[str], str], capsys: pytest.CaptureFixture[str]
) -> None:
    use_db(database_url)
    keys = {
        "trigger:two-days-ago": NOW - timedelta(days=2),
        "trigger:just-too-old": NOW - REQUEST_IDS_KEPT - timedelta(seconds=1),
        "trigger:an-hour-ago": NOW - timedelta(hours=1),  # Slack could still retry it
        "trigger:just-now": NOW,
    }
    on(database_url, lambda c: _remember(c, keys))
    assert main(["run-job", "housekeeping", "--now", NOW.isoformat()]) == 0
    assert "request_ids_purged 2" in capsys.readouterr().out
    seen = on(database_url, lambda c: _seen_again(c, list(keys)))
    assert seen == {
        "trigger:two-days-ago": False,
        "trigger:just-too-old": False,
        "trigger:an-hour-ago": True,
        "trigger:just-now": True,
    }
    assert main(["run-job", "housekeeping", "--now", NOW.isoformat()]) == 0
    assert "request_ids_purged 0" in capsys.readouterr().out
