"""``crmbot run-job reminders --now T`` as the console script runs it, on both backends."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.bootstrap import Container
from bot.cli import main
from domain.model import Task, User
from storage.models import OutboxRow
from tests.integration import test_cli_commands as cli

# the CLI tests' own fixtures: no .env, no Slack settings, DATABASE_URL from the test
cli_env = cli.cli_env
use_db = cli.use_db

DUE = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


async def add_task(container: Container) -> None:
    async with container.uow() as uow:
        await uow.users.upsert_many([User("U1", "Ana")])
        await uow.tasks.add(Task("Call Acme", "U1", DUE))
        await uow.commit()


async def keys(container: Container) -> list[str]:
    async with container.engine.connect() as conn:
        return list((await conn.execute(select(OutboxRow.key))).scalars())


def test_run_job_reminders_at_a_given_time(
    database_url: str, use_db: Callable[[str], str], capsys: pytest.CaptureFixture[str]
) -> None:
    use_db(database_url)
    cli.on(database_url, add_task)
    assert main(["run-job", "reminders", "--now", "2026-11-23T08:59"]) == 0
    assert capsys.readouterr().out.startswith("reminders at 2026-11-23T08:59:00+00:00: sent 0")
    assert main(["run-job", "reminders", "--now", "2026-11-23T09:00"]) == 0
    assert "sent 1" in capsys.readouterr().out
    assert main(["run-job", "reminders", "--now", "2026-11-23T09:05"]) == 0
    assert "sent 0" in capsys.readouterr().out
    assert cli.on(database_url, keys) == [f"reminder:1:{DUE.isoformat()}"]
