"""``crmbot``'s usage and user-error exits (CONTRACT §2) that need no database.

Exit 2 is argparse's bad usage; exit 1 is a user error told in one line on stderr,
without a traceback. Each test runs in its own directory, so no ``.env`` is read.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.cli import main
from bot.commands import parse_instant
from domain.errors import UsageError


@pytest.fixture(autouse=True)
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A clean environment whose database would be a file in the test's own directory."""
    monkeypatch.chdir(tmp_path)
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "CRMBOT_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("CRMBOT_DEFAULT_TZ", raising=False)
    db = tmp_path / "crmbot.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{db}")
    return db


def _usage_exit(argv: list[str]) -> int | str | None:
    with pytest.raises(SystemExit) as raised:
        main(argv)
    return raised.value.code


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["frobnicate"],
        ["db"],
        ["db", "backup"],
        ["db", "restore", "x.db"],
        ["import", "clients"],
        ["import", "widgets", "w.csv"],
        ["scores"],
        ["scores", "--as-of", "2026-01-01", "--format", "xml"],
        ["scores", "--as-of", "2026-01-01", "--horizon-days", "0"],
        ["demo-data", "--clients", "0"],
        ["demo-data", "--clients", "-5"],
        ["demo-data", "--clients", "many"],
        ["demo-data", "--seed", "x"],
        ["run-job"],
        ["serve", "--port", "http"],
        ["audit", "--frob"],
    ],
    ids=lambda argv: " ".join(argv) or "nothing",
)
def test_bad_usage_exits_2_and_touches_nothing(
    argv: list[str], cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _usage_exit(argv) == 2
    err = capsys.readouterr().err
    assert "usage: crmbot" in err and "Traceback" not in err
    assert not cli_env.exists(), "bad usage must not create the database"


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert _usage_exit(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("serve", "console", "db", "demo-data", "import", "scores", "audit", "run-job"):
        assert command in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["scores", "--as-of", "junk"], "crmbot: --as-of 'junk' is not an ISO-8601 date"),
        (["audit", "--since", "junk"], "crmbot: --since 'junk' is not an ISO-8601 date"),
        (["run-job", "outbox", "--now", "tomorrow"], "crmbot: --now 'tomorrow' is not"),
    ],
)
def test_unreadable_dates_are_a_one_line_user_error(
    argv: list[str], message: str, cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith(message)
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not cli_env.exists(), "nothing is opened before the arguments are read"


def test_bad_configuration_is_a_one_line_user_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CRMBOT_DEFAULT_TZ", "Mars/Olympus_Mons")
    assert main(["audit"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("crmbot: configuration error:") and "Mars/Olympus_Mons" in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_db_backup_of_postgresql_points_to_pg_dump(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # refused before any connection is made: no server needs to listen on this port
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://nobody@127.0.0.1:9/none")
    assert main(["db", "backup", str(tmp_path / "copy.db")]) == 1
    err = capsys.readouterr().err
    assert err == "crmbot: db backup copies SQLite databases; for PostgreSQL use pg_dump\n"
    assert not (tmp_path / "copy.db").exists()


def test_db_backup_of_a_missing_database_writes_nothing(
    cli_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "backup", "copy.db"]) == 1
    err = capsys.readouterr().err
    assert err == f"crmbot: {cli_env}: no such database file; nothing was written\n"
    assert not cli_env.exists() and not (tmp_path / "copy.db").exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-23", datetime(2026, 11, 23, tzinfo=UTC)),
        ("2026-11-23T08:00", datetime(2026, 11, 23, 8, tzinfo=UTC)),
        ("2026-11-23T09:00+01:00", datetime(2026, 11, 23, 8, tzinfo=UTC)),
        ("2026-11-23T08:00:00Z", datetime(2026, 11, 23, 8, tzinfo=UTC)),
    ],
)
def test_parse_instant_reads_iso_dates_as_utc(text: str, expected: datetime) -> None:
    parsed = parse_instant(text, flag="--now")
    assert parsed == expected
    assert parsed.utcoffset() == timedelta(0) and parsed.tzinfo is UTC


def test_parse_instant_names_the_flag() -> None:
    with pytest.raises(UsageError, match="--as-of '23/11/2026' is not an ISO-8601 date"):
        parse_instant("23/11/2026", flag="--as-of")
    assert parse_instant("2026-11-23T08:00-05:00", flag="--now") == datetime(
        2026, 11, 23, 8, tzinfo=timezone(timedelta(hours=-5))
    )
