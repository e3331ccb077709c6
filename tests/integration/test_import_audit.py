"""Issue #10, audit: an import writes one audit entry per row it created or changed —
an update names each changed field before and after — in the import's transaction;
an identical re-import writes none. The repositories report those rows alike (fake,
SQLite, PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

from bot.bootstrap import Container
from domain.model import Client
from domain.ports import UnitOfWorkFactory
from tests.integration import test_repository_contract as contract
from tests.integration.test_import import DATA, counts, load, load_all, write
from tests.integration.test_repository_contract import committed, seed

# the repository contract's fixtures: the fake, SQLite and PostgreSQL stores
uow_factory = contract.uow_factory
pg_database = contract.pg_database


async def test_upserts_report_each_created_and_changed_row(uow_factory: UnitOfWorkFactory) -> None:
    await seed(uow_factory)
    async with committed(uow_factory) as uow:
        made = await uow.clients.upsert_many([Client("C10", "Acme"), Client("C11", "Bolt")])
    assert [(r.key, r.before) for r in made.rows] == [("C10", None), ("C11", None)]
    async with committed(uow_factory) as uow:
        again = await uow.clients.upsert_many([Client("C10", "Acme Tools"), Client("C11", "Bolt")])
    [row] = again.rows
    assert row.key == "C10" and row.before is not None and row.before["name"] == "Acme"
    async with committed(uow_factory) as uow:
        assert (await uow.clients.upsert_many([Client("C10", "Acme Tools")])).rows == ()


async def test_a_changed_import_audits_each_changed_row_with_before_and_after(
    container: Container, tmp_path: Path
) -> None:
    await load_all(container, "users", "clients")
    async with container.uow() as uow:
        rep = await uow.users.get("U100REP1")
        before = len(await uow.audit.list())
    assert rep is not None
    original = (DATA / "clients.csv").read_text(encoding="utf-8-sig")
    changed = original.replace("Borealis Foods", "Borealis Foods AB").replace(
        'Tools, Inc.",U100REP1', 'Tools, Inc.",U100REP2'
    )
    report = await load(container, "clients", write(tmp_path, "clients.csv", changed))
    assert (report.created, report.updated, report.unchanged) == (0, 2, 1)
    async with container.uow() as uow:
        added = list(await uow.audit.list())[before:]
    rows = {e.entity_id: e for e in added if e.action == "client.updated"}
    assert sorted(rows) == ["C-1001", "C-1002"] and len(added) == 3, "two rows and the file"
    assert rows["C-1002"].details["changes"] == {
        "name": {"before": "Borealis Foods", "after": "Borealis Foods AB"}
    }
    owner = rows["C-1001"].details["changes"]
    assert owner == {"owner_slack_user_id": {"before": f"#{rep.id}", "after": "U100REP2"}}
    for entry in rows.values():
        assert entry.details["file"] == "clients.csv" and entry.details["via"] == "import"
        assert entry.details["client_external_id"] == entry.entity_id
        assert (entry.actor, entry.surface) == (added[-1].actor, added[-1].surface)

    unchanged = await counts(container)
    await load(container, "clients", write(tmp_path, "clients.csv", changed))
    assert await counts(container) == unchanged, "an identical re-import writes no audit row"
