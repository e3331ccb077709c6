"""``crmbot import`` end to end on SQLite and PostgreSQL: CSV file → database."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import cast

import pytest
from sqlalchemy import select, text

from bot.bootstrap import Container
from bot.cli_import import CsvFile, run_import
from domain.errors import ImportRejected
from domain.imports import Row, read_csv
from domain.model import QuoteStatus, Role, Surface
from domain.ports import UnitOfWorkFactory
from domain.services.importing import ImportReport, ImportService, Rows
from storage.models import PaymentRow

DATA = Path(__file__).resolve().parents[1] / "data" / "csv"
ORDERED = ("users", "clients", "orders", "invoices", "payments", "quotes")
TABLES = ("users", "clients", "orders", "invoices", "payments", "quotes", "audit_log")


async def load(
    container: Container,
    kind: str,
    path: Path | None = None,
    *,
    rows: Rows | None = None,
    service: ImportService | None = None,
    progress: list[int] | None = None,
) -> ImportReport:
    path = path or DATA / f"{kind}.csv"
    return await (service or ImportService()).run(
        kind,
        CsvFile(kind, path) if rows is None else rows,
        uow_factory=cast(UnitOfWorkFactory, container.uow),
        actor="U100ADM1",
        surface=Surface.CLI,
        now=container.clock(),
        progress=None if progress is None else progress.append,
        name=path.name,
    )


async def load_all(container: Container, *kinds: str) -> dict[str, ImportReport]:
    return {kind: await load(container, kind) for kind in kinds or ORDERED}


def write(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


async def counts(container: Container) -> dict[str, int]:
    async with container.engine.connect() as conn:
        return {
            t: int((await conn.execute(text(f"SELECT COUNT(*) FROM {t}"))).scalar_one())
            for t in TABLES
        }


def counted(report: ImportReport) -> tuple[int, int, int, int]:
    return (report.created, report.updated, report.unchanged, report.placeholders)


async def test_imports_every_kind(container: Container) -> None:
    reports = await load_all(container)
    assert {k: counted(r) for k, r in reports.items()} == {
        "users": (5, 0, 0, 0),
        "clients": (3, 0, 0, 0),
        "orders": (4, 0, 0, 1),
        "invoices": (3, 0, 0, 0),
        "payments": (2, 0, 0, 0),
        "quotes": (2, 0, 0, 0),
    }
    assert reports["orders"].summary() == (
        "orders: 4 created, 0 updated, 0 unchanged, 1 placeholder client"
    )
    async with container.uow() as uow:
        rep = await uow.users.get("U100REP1")
        tomas = await uow.users.get("U100REP2")
        marta = await uow.users.get("U100MGR1")
        acme = await uow.clients.get("C-1001")
        cobalt = await uow.clients.get("C-1003")
        stub = await uow.clients.get("C-9999")
        orders = await uow.orders.for_client("C-1002")
        quote = await uow.quotes.get("Q-3001")
        plain = await uow.quotes.get("Q-3002")
        entries = await uow.audit.list()
    # a manager defined further down the same file is linked
    assert rep and rep.manager_slack_user_id == "U100MGR1" and rep.timezone == "America/Sao_Paulo"
    assert tomas and tomas.role == Role.REP and tomas.email is None and tomas.name == "Tomás Ruiz"
    assert marta and marta.role == Role.MANAGER and marta.manager_slack_user_id == "U100ADM1"
    assert acme and acme.name == "Acme Tools, Inc." and acme.owner_slack_user_id == "U100REP1"
    assert acme.tags == ["wholesale", "key account"]
    assert acme.credit_limit == Decimal("25000.00") and acme.payment_terms_days == 30
    assert acme.created_at == datetime(2024, 3, 15, tzinfo=UTC)
    assert cobalt and cobalt.created_at == container.clock() and cobalt.credit_limit is None
    assert stub and stub.placeholder and stub.name == "C-9999"
    [order] = orders
    assert order.amount == Decimal("430.00") and isinstance(order.amount, Decimal)
    assert order.ordered_at == datetime(2026, 2, 10, 14, 0, tzinfo=UTC)
    assert order.ordered_at.tzinfo is not None and order.ordered_at.utcoffset() == UTC.utcoffset(
        None
    )
    assert quote and quote.status == QuoteStatus.PENDING and quote.currency == "USD"
    assert quote.discount_pct == Decimal("12.50") and quote.total == Decimal("12500.00")
    assert quote.description == "Annual tooling bundle\nincl. on-site training"
    assert quote.valid_until == datetime(2026, 12, 31, tzinfo=UTC)
    assert plain and plain.created_at == container.clock()
    files = [e for e in entries if e.action == "import"]
    assert [(e.action, e.entity_type, e.entity_id) for e in files] == [
        ("import", kind, f"{kind}.csv") for kind in ORDERED
    ]
    assert files[2].details["placeholders"] == 1 and files[2].details["created"] == 4
    assert {e.actor for e in files} == {"U100ADM1"} and files[0].at == container.clock()
    # and one entry per created row, with what it was created with (issue #10)
    created = {(e.entity_type, e.entity_id): e for e in entries if e.action.endswith(".created")}
    for kind, file in zip(ORDERED, files, strict=True):
        rows = [e for (noun, _), e in created.items() if f"{noun}s" == kind]
        assert len(rows) == file.details["created"], kind
        assert {(e.actor, e.surface, e.details["file"]) for e in rows} == {
            ("U100ADM1", file.surface, f"{kind}.csv")
        }
    acme_row = created["client", "C-1001"].details
    assert acme_row["client_external_id"] == "C-1001"
    assert acme_row["after"]["name"] == "Acme Tools, Inc."  # type: ignore[index]
    assert acme_row["after"]["tags"] == "wholesale;key account"  # type: ignore[index]
    assert created["order", "O-5003"].details["client_external_id"] == "C-1002"
    async with container.uow() as uow:
        payments = (await uow.session.execute(select(PaymentRow).order_by(PaymentRow.id))).scalars()
        paid = [(p.external_id, p.amount, p.paid_at) for p in payments]
    assert paid == [
        ("P-9001", Decimal("1200.00"), datetime(2026, 2, 1, 12, 0, tzinfo=UTC)),
        ("P-9002", Decimal("500.00"), datetime(2026, 3, 10, tzinfo=UTC)),
    ]
    assert all(isinstance(amount, Decimal) and at.tzinfo is not None for _, amount, at in paid)


async def test_reimport_changes_nothing_and_a_changed_row_updates(
    container: Container, tmp_path: Path
) -> None:
    await load_all(container)
    before = await counts(container)
    again = await load_all(container)
    for kind, report in again.items():
        assert counted(report) == (0, 0, report.rows, 0), kind
    assert await counts(container) == before  # not even an audit entry
    assert again["quotes"].summary() == "quotes: 0 created, 0 updated, 2 unchanged"

    original = (DATA / "clients.csv").read_text(encoding="utf-8-sig")
    path = write(tmp_path, "clients.csv", original.replace("Borealis Foods", "Borealis Foods AB"))
    assert counted(await load(container, "clients", path)) == (0, 1, 2, 0)
    async with container.uow() as uow:
        client = await uow.clients.get("C-1002")
        entries = await uow.audit.list()
    assert client and client.name == "Borealis Foods AB"
    assert len(entries) == before["audit_log"] + 2 and entries[-1].details["updated"] == 1
    row = entries[-2]  # the changed row itself, with its field before and after
    assert (row.action, row.entity_type, row.entity_id) == ("client.updated", "client", "C-1002")
    assert row.details["changes"] == {
        "name": {"before": "Borealis Foods", "after": "Borealis Foods AB"}
    }
    assert row.details["client_external_id"] == "C-1002" and row.surface == entries[-1].surface


async def test_bad_rows_reject_the_file_and_write_nothing(
    container: Container, tmp_path: Path
) -> None:
    await load_all(container, "users", "clients")
    before = await counts(container)
    path = write(
        tmp_path,
        "orders.csv",
        "external_id,client_external_id,ordered_at,amount\n"
        "O-1,C-1001,2026-01-05,10\n"
        "O-2,C-NEW,2026-01-06,20\n"
        "O-3,C-1001,2026-01-07,abc\n"
        "O-1,C-1001,2026-01-08,30\n"
        "O-5,C-1002,2026-13-01,40\n",
    )
    with pytest.raises(ImportRejected) as caught:
        await load(container, "orders", path)
    assert caught.value.problems == [
        (4, "amount 'abc': not a decimal number (write it like 1234.50)"),
        (5, "external_id 'O-1': duplicate of line 2"),
        (
            6,
            "ordered_at '2026-13-01': not an ISO-8601 date "
            "(write it like 2026-01-31 or 2026-01-31T09:30Z)",
        ),
    ]
    assert await counts(container) == before  # no orders, no placeholder C-NEW, no audit


BAD_REFERENCES = [
    (
        "payments",
        "external_id,invoice_external_id,paid_at,amount\n"
        "P-1,I-7001,2026-02-01,5\nP-2,I-404,2026-02-01,5\n",
        (3, "invoice_external_id 'I-404': no invoice I-404"),
    ),
    (
        "invoices",
        "external_id,client_external_id,issued_at,due_at,amount,order_external_id\n"
        "I-1,C-1001,2026-01-01,2026-01-31,5,O-5001\nI-2,C-NOPE,2026-01-01,2026-01-31,5,\n",
        (3, "client_external_id 'C-NOPE': no client C-NOPE"),
    ),
    (
        "invoices",
        "external_id,client_external_id,issued_at,due_at,amount,order_external_id\n"
        "I-1,C-1001,2026-01-01,2026-01-31,5,O-404\n",
        (2, "order_external_id 'O-404': no order O-404"),
    ),
    (
        "clients",
        "external_id,name,owner_slack_user_id\nC-1,Acme,U100REP1\nC-2,Bee,UGHOST\n",
        (3, "owner_slack_user_id 'UGHOST': no user UGHOST"),
    ),
    (
        "users",
        "slack_user_id,name,manager_slack_user_id\nU1,Ann,U2\nU2,Bob,\nU3,Cy,UGHOST\n",
        (4, "manager_slack_user_id 'UGHOST': no user UGHOST"),
    ),
    (
        "quotes",
        "external_id,client_external_id,requested_by_slack_user_id,total\nQ-1,C-NOPE,UGHOST,10\n",
        (2, "client_external_id 'C-NOPE': no client C-NOPE"),
    ),
]


async def test_unknown_references_reject_the_file(container: Container, tmp_path: Path) -> None:
    await load_all(container)
    before = await counts(container)
    for kind, content, problem in BAD_REFERENCES:
        with pytest.raises(ImportRejected) as caught:
            await load(container, kind, write(tmp_path, f"{kind}.csv", content))
        assert caught.value.problems[0] == problem, kind
    assert caught.value.problems[1] == (2, "requested_by_slack_user_id 'UGHOST': no user UGHOST")
    assert await counts(container) == before  # invoices made no placeholder client either


async def test_placeholder_becomes_a_normal_client(container: Container, tmp_path: Path) -> None:
    await load_all(container, "users", "orders")  # every client of orders.csv is unknown
    async with container.uow() as uow:
        stub = await uow.clients.get("C-9999")
    assert stub and (stub.name, stub.placeholder, stub.owner_slack_user_id) == (
        "C-9999",
        True,
        None,
    )
    path = write(tmp_path, "clients.csv", "external_id,name\nC-9999,Zephyr Outfitters\n")
    assert counted(await load(container, "clients", path)) == (0, 1, 0, 0)
    async with container.uow() as uow:
        client = await uow.clients.get("C-9999")
        orders = await uow.orders.for_client("C-9999")
    assert client and client.name == "Zephyr Outfitters" and not client.placeholder
    assert [o.external_id for o in orders] == ["O-5004"]


async def test_row_sources_batches_and_progress(container: Container) -> None:
    def lines() -> Iterator[tuple[int, Row]]:
        with (DATA / "users.csv").open(encoding="utf-8", newline="") as f:
            yield from read_csv("users", f)

    async def async_rows() -> AsyncIterator[tuple[int, Row]]:
        for item in lines():
            yield item

    assert counted(await load(container, "users", rows=lines())) == (5, 0, 0, 0)
    assert counted(await load(container, "users", rows=async_rows())) == (0, 0, 5, 0)
    bad: list[tuple[int, Row]] = [
        (2, {"slack_user_id": "U1", "name": "A"}),
        (3, {"slack_user_id": "U2", "name": "B", "manager_slack_user_id": "UX"}),
    ]
    with pytest.raises(ImportRejected) as caught:
        await load(container, "users", rows=iter(bad))
    assert caught.value.problems == [(3, "manager_slack_user_id 'UX': no user UX")]
    with pytest.raises(ImportRejected) as caught:
        await load(container, "users", rows=[(2, {"name": "A"})])
    assert caught.value.problems == [(1, "missing required column 'slack_user_id'")]

    done: list[int] = []
    report = await load(container, "orders", service=ImportService(batch_size=3), progress=done)
    assert done == [3, 4] and report.created == 4


# --- the command ----------------------------------------------------------------------


async def run(container: Container, kind: str, path: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = await run_import(container, kind, path, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


async def test_run_import_success(container: Container) -> None:
    assert await run(container, "users", DATA / "users.csv") == (
        0,
        "users: 5 created, 0 updated, 0 unchanged\n",
        "",
    )
    code, out, err = await run(container, "orders", DATA / "orders.csv")
    assert (code, err) == (0, "")
    assert out == "orders: 4 created, 0 updated, 0 unchanged, 3 placeholder clients\n"
    async with container.uow() as uow:
        [*_, entry] = await uow.audit.list()
    assert (entry.surface, entry.entity_id) == (Surface.CLI, "orders.csv")


async def test_run_import_failures(container: Container, tmp_path: Path) -> None:
    bad = "".join(f"O-{n},C-1,2026-01-01,-{n}\n" for n in range(1, 61))
    path = write(tmp_path, "orders.csv", "external_id,client_external_id,ordered_at,amount\n" + bad)
    code, out, err = await run(container, "orders", path)
    assert (code, out) == (1, "")
    lines = err.splitlines()
    assert lines[0] == "orders: 60 bad row(s), nothing imported"
    assert lines[1:3] == [
        "line 2: amount '-1': must not be negative",
        "line 3: amount '-2': must not be negative",
    ]
    assert len(lines) == 52 and lines[-1] == "… and 10 more"
    assert "Traceback" not in err

    latin = tmp_path / "latin.csv"
    latin.write_bytes("slack_user_id,name\nU1,Jos\xe9\n".encode("latin-1"))
    code, out, err = await run(container, "users", latin)
    assert (code, out) == (1, "")
    assert "line 2: not UTF-8 text (byte 0xe9)" in err and "nothing imported" in err

    code, _, err = await run(container, "users", tmp_path / "absent.csv")
    assert code == 1 and "no such file" in err and "nothing imported" in err
    code, _, err = await run(container, "widgets", DATA / "users.csv")
    assert code == 1 and "unknown kind 'widgets'" in err and "nothing imported" in err
    code, _, err = await run(container, "orders", DATA / "users.csv")
    assert code == 1 and "line 1: missing required column 'external_id'" in err
    assert (await counts(container))["audit_log"] == 0
