"""``crmbot import quotes`` starts approvals; ``crmbot run-job quote-expiry --now`` expires
and escalates them: the command line, on SQLite and PostgreSQL."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from bot import commands
from bot.bootstrap import build
from bot.cli import main
from domain.model import Client, Role, User
from storage.models import AuditRow, OutboxRow
from tests.conftest import FixedClock, make_settings
from tests.slack.chat_fixtures import rows

CSV = """external_id,client_external_id,requested_by_slack_user_id,total,valid_until
Q-1,C1,U2,12000,2026-12-01
Q-2,C1,U2,500,
"""


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, database_url: str) -> Iterator[str]:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.delenv("CRMBOT_CONFIG", raising=False)
    # the commands' clock reads 2026-11-25 17:00 UTC (run-job --now sets its own)
    clock = FixedClock(datetime(2026, 11, 25, 17, 0, tzinfo=UTC))
    monkeypatch.setattr(commands, "build", functools.partial(build, clock=clock))
    yield database_url


async def test_import_then_expiry_and_escalation_from_the_command_line(
    env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    container = build(make_settings(env))
    try:
        async with container.uow() as uow:
            await uow.users.upsert_many(
                [
                    User("U1", "Boss", role=Role.MANAGER),
                    User("U2", "Rep", manager_slack_user_id="U1"),
                ]
            )
            since = datetime(2024, 1, 1, tzinfo=UTC)
            await uow.clients.upsert_many(
                [Client("C1", "Acme", credit_limit=Decimal(10**6), created_at=since)]
            )
            await uow.commit()
        path = tmp_path / "quotes.csv"
        path.write_text(CSV, encoding="utf-8")
        assert await _main(["import", "quotes", str(path)]) == 0
        async with container.uow() as uow:
            statuses = {k: (await uow.quotes.get(k)).status.value for k in ("Q-1", "Q-2")}  # type: ignore[union-attr]
        assert statuses == {"Q-1": "pending_approval", "Q-2": "approved"}
        assert [r.channel for r in await rows(container, OutboxRow)] == ["U1"]  # the request
        capsys.readouterr()
        assert await _main(["run-job", "quote-expiry", "--now", "2026-11-26T16:00"]) == 0
        assert "reminded 0" in capsys.readouterr().out  # not yet a day
        assert await _main(["run-job", "quote-expiry", "--now", "2026-11-26T18:00"]) == 0
        out = capsys.readouterr().out
        assert "reminded 1" in out and "expired 0" in out
        assert await _main(["run-job", "quote-expiry", "--now", "2026-12-02T00:00"]) == 0
        assert "expired 1" in capsys.readouterr().out
        actions = [r.action for r in await rows(container, AuditRow)]
        assert actions.count("quote.approval_requested") == 1
        assert actions.count("quote.expired") == 1 and actions.count("quote.approval_reminded") == 1
    finally:
        await container.close()


async def _main(argv: list[str]) -> int:
    """``main`` runs its own event loop: run it off this one."""
    import asyncio

    return await asyncio.to_thread(main, argv)
