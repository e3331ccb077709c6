"""Issue #10, audit: ``crmbot audit`` says who changed what, when, from which surface,
one line per row, with each changed field as ``before → after`` and long values cut."""

from __future__ import annotations

import asyncio
import contextlib
import io
from datetime import UTC, datetime

import pytest

from bot.audit_text import VALUE_LIMIT
from bot.bootstrap import Container
from bot.cli import main
from domain.model import AuditEntry, Surface

AT = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
LATER = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)


def _cli(argv: list[str]) -> tuple[int, list[str]]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(argv)
    return code, out.getvalue().splitlines()


async def _add(container: Container, *entries: AuditEntry) -> None:
    async with container.uow() as uow:
        for entry in entries:
            await uow.audit.add(entry)
        await uow.commit()


async def test_audit_prints_who_what_when_where_and_each_change(
    sqlite_container: Container, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    long_note = "x" * 500
    await _add(
        sqlite_container,
        AuditEntry(
            "U0REP1", Surface.BUTTON, "task.completed", "task", "7",
            details={"client_id": 3, "before": {"status": "open"},
                     "after": {"status": "done", "completed_at": LATER.isoformat()}},
            at=AT,
        ),
        AuditEntry(
            "erp", Surface.API, "client.updated", "client", "C1",
            details={"client_external_id": "C1", "via": "api",
                     "changes": {"name": {"before": "Acme", "after": "Acme Corp"},
                                 "email": {"before": None, "after": long_note}}},
            at=LATER,
        ),
        AuditEntry(
            "cli", Surface.IMPORT, "client.created", "client", "C2",
            details={"client_external_id": "C2",
                     "after": {"name": "Evil\x1b[31m\tCo\nLtd"}},
            at=LATER,
        ),
    )  # fmt: skip
    code, lines = await asyncio.to_thread(_cli, ["audit"])
    assert code == 0 and len(lines) == 3, lines
    done, renamed, created = (line.split("\t") for line in lines)
    assert done == [
        "2026-11-20T09:30:00+00:00", "U0REP1", "button", "task.completed", "task:7",
        "status: open → done; completed_at: (none) → 2026-11-24T14:00:00+00:00; client_id=3",
    ]  # fmt: skip
    assert renamed[:5] == ["2026-11-24T14:00:00+00:00", "erp", "api", "client.updated", "client:C1"]
    name, email, *rest = renamed[5].split("; ")
    assert name == "name: Acme → Acme Corp"
    assert email.startswith("email: (none) → xxx") and email.endswith("x…")
    assert len(email) == len("email: (none) → ") + VALUE_LIMIT
    assert rest == ["client_external_id=C1", "via=api"]
    assert created[5] == "name: (none) → Evil[31m Co Ltd; client_external_id=C2", "no escapes"

    code, lines = await asyncio.to_thread(_cli, ["audit", "--client", "C1"])
    assert [line.split("\t")[4] for line in lines] == ["client:C1"]
    code, lines = await asyncio.to_thread(_cli, ["audit", "--since", "2026-11-21"])
    assert sorted(line.split("\t")[4] for line in lines) == ["client:C1", "client:C2"]
