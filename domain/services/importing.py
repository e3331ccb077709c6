"""CSV imports (CONTRACT §2, §5): all of a file or nothing of it.

``ImportService.run`` reads the rows twice when it can. Pass 1 parses every row,
collecting every problem, the keys defined by the file (to find duplicates) and the ids
it references; the references are then checked against the database in batches. Any
problem rejects the file with nothing written. Pass 2 re-reads the rows and applies
them in batches inside one unit of work, so a large file never sits in memory as
entities. A one-shot iterator cannot be re-read: its parsed entities are kept instead.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Protocol, cast

from domain.errors import ImportRejected
from domain.imports import (
    Entity,
    KindSpec,
    Row,
    key_of,
    missing_columns,
    parse_row,
    references,
    spec_for,
)
from domain.model import AuditEntry, Client, Invoice, Order, Payment, Quote, Surface, User
from domain.ports import UnitOfWork, UnitOfWorkFactory, UpsertResult
from domain.ports_approvals import QuoteArrivals
from domain.services.import_audit import Importer, row_entries

Rows = Iterable[tuple[int, Row]] | AsyncIterable[tuple[int, Row]]
BATCH = 5000
LOOKUP_BATCH = 10_000


class _Lookup(Protocol):
    async def existing_ids(self, ids: Iterable[str], /) -> set[str]: ...


@dataclass(frozen=True)
class ImportReport:
    kind: str
    rows: int
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    placeholders: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.placeholders)

    def summary(self) -> str:
        text = f"{self.kind}: {self.created} created, {self.updated} updated"
        text += f", {self.unchanged} unchanged"
        if self.kind == "orders":
            text += f", {self.placeholders} placeholder client" + "s" * (self.placeholders != 1)
        return text


@dataclass
class _Scan:
    """What pass 1 learnt about a file."""

    rows: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)
    keys: dict[str, int] = field(default_factory=dict)  # key → the line defining it
    refs: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    kept: list[tuple[int, Entity]] | None = None


async def _each(rows: Rows) -> AsyncIterator[tuple[int, Row]]:
    if isinstance(rows, AsyncIterable):
        async for item in rows:
            yield item
        return
    for n, item in enumerate(rows, 1):
        yield item
        if n % 1000 == 0:
            await asyncio.sleep(0)  # a long file must not starve the event loop


async def _entities(
    spec: KindSpec, rows: Rows, scan: _Scan, *, strict: bool = True
) -> AsyncIterator[tuple[int, Entity]]:
    """The entities of pass 1 again, from memory or by re-reading (and re-parsing) the rows.

    ``strict``: a row that no longer parses means the file changed since pass 1.
    """
    if scan.kept is not None:
        for item in scan.kept:
            yield item
        return
    async for line, row in _each(rows):
        entity, problems = parse_row(spec, row)
        if entity is not None:
            yield line, entity
        elif strict:
            raise ImportRejected(spec.kind, [(line, f"changed while importing: {problems[0]}")])


def _chunks(items: Iterable[str], size: int = LOOKUP_BATCH) -> Iterator[list[str]]:
    batch: list[str] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


async def _existing(uow: UnitOfWork, target: str, ids: set[str]) -> set[str]:
    repo: dict[str, _Lookup] = {
        "users": uow.users,
        "clients": uow.clients,
        "orders": uow.orders,
        "invoices": uow.invoices,
    }
    found: set[str] = set()
    for batch in _chunks(sorted(ids)):
        found |= await repo[target].existing_ids(batch)
    return found


async def _upsert(uow: UnitOfWork, kind: str, batch: list[Entity]) -> UpsertResult:
    match kind:
        case "users":
            return await uow.users.upsert_many(cast(list[User], batch))
        case "clients":
            return await uow.clients.upsert_many(cast(list[Client], batch))
        case "orders":
            return await uow.orders.upsert_many(cast(list[Order], batch))
        case "invoices":
            return await uow.invoices.upsert_many(cast(list[Invoice], batch))
        case "payments":
            return await uow.payments.upsert_many(cast(list[Payment], batch))
    return await uow.quotes.upsert_many(cast(list[Quote], batch))


class ImportService:
    """Imports one CSV kind, idempotent by ``external_id`` (``slack_user_id`` for users).

    Every problem of a file is reported at once, as ``ImportRejected``, and nothing of a
    rejected file is written. An accepted file is applied in one transaction with one
    audit entry per row it created or changed (``client.updated`` with the fields
    before and after, ``domain/services/import_audit.py``), written in bulk, and one for
    the file (action ``import``, the counts). Re-importing a file that changes nothing
    writes nothing at all, not even an audit entry: the audit log records changes.
    Only orders create placeholder clients; every other reference must already exist
    (or, for a user's manager, be a user of the same file).
    """

    def __init__(self, *, batch_size: int = BATCH, approvals: QuoteArrivals | None = None) -> None:
        self.batch_size = batch_size
        self.approvals = approvals  # imported quotes start their approval in the same transaction

    async def run(
        self,
        kind: str,
        rows: Rows,
        *,
        uow_factory: UnitOfWorkFactory,
        actor: str,
        surface: Surface,
        now: datetime,
        progress: Callable[[int], None] | None = None,
        name: str = "-",
    ) -> ImportReport:
        """``rows`` are ``(line, {column: cell})``; ``progress`` gets the rows applied so far."""
        spec = spec_for(kind)
        scan = await self._scan(spec, rows)
        async with uow_factory() as uow:
            await self._check_references(spec, rows, scan, uow)
            by = Importer(actor, surface, name)
            report = await self._apply(spec, rows, scan, uow, now=now, by=by, progress=progress)
            if report.changed:
                await uow.audit.add(
                    _audit(report, actor=actor, surface=surface, now=now, name=name)
                )
                await uow.commit()
        return report

    async def _scan(self, spec: KindSpec, rows: Rows) -> _Scan:
        scan = _Scan(kept=[] if isinstance(rows, Iterator | AsyncIterator) else None)
        async for line, row in _each(rows):
            if scan.rows == 0 and (missing := missing_columns(spec, row)):
                raise ImportRejected(spec.kind, missing)
            scan.rows += 1
            entity, problems = parse_row(spec, row)
            scan.problems += [(line, p) for p in problems]
            if entity is None:
                continue
            key = key_of(spec, entity)
            first = scan.keys.setdefault(key, line)
            if first != line:
                scan.problems.append((line, f"{spec.key} {key!r}: duplicate of line {first}"))
                continue
            for ref, value in references(spec, entity):
                scan.refs[ref.column].add(value)
            if scan.kept is not None:
                scan.kept.append((line, entity))
        return scan

    async def _check_references(
        self, spec: KindSpec, rows: Rows, scan: _Scan, uow: UnitOfWork
    ) -> None:
        unknown: dict[str, set[str]] = {}
        for ref in spec.references:
            wanted = scan.refs[ref.column]
            if ref.target == spec.kind:
                wanted = wanted - set(scan.keys)
            if wanted and not ref.placeholder:
                unknown[ref.column] = wanted - await _existing(uow, ref.target, wanted)
        problems = scan.problems
        if any(unknown.values()):
            problems = problems + [p async for p in self._unknown(spec, rows, scan, unknown)]
        if problems:
            raise ImportRejected(spec.kind, sorted(problems, key=lambda p: p[0]))

    async def _unknown(
        self, spec: KindSpec, rows: Rows, scan: _Scan, unknown: dict[str, set[str]]
    ) -> AsyncIterator[tuple[int, str]]:
        """The lines naming an unknown id; a re-read, since a rejected file is the rare case."""
        async for line, entity in _entities(spec, rows, scan, strict=False):
            for ref, value in references(spec, entity):
                if value in unknown.get(ref.column, ()):
                    yield line, f"{ref.column} {value!r}: no {ref.noun} {value}"

    async def _apply(
        self,
        spec: KindSpec,
        rows: Rows,
        scan: _Scan,
        uow: UnitOfWork,
        *,
        now: datetime,
        by: Importer,
        progress: Callable[[int], None] | None,
    ) -> ImportReport:
        placeholders = 0
        if spec.kind == "orders":
            placeholders = await uow.clients.add_placeholders(
                sorted(scan.refs["client_external_id"])
            )
        scan.keys.clear()  # pass 2 needs none of pass 1's bookkeeping but the references
        # users link their managers within one batch, so a users file is applied whole
        size = max(scan.rows, 1) if spec.kind == "users" else self.batch_size
        total, done = UpsertResult(), 0
        async for batch in _batches(_entities(spec, rows, scan), size=size, now=now):
            before = await self._quotes_before(uow, spec, batch)
            result = await _upsert(uow, spec.kind, batch)
            total += replace(result, rows=())  # the rows are audited here, batch by batch
            changed = ((row.key, row.before) for row in result.rows)
            await uow.audit.add_many(row_entries(spec, batch, changed, by=by, now=now))
            if self.approvals is not None and spec.kind == "quotes":
                quotes = cast(list[Quote], batch)
                await self.approvals.quotes_imported(uow, quotes, before=before, now=now)
            done += len(batch)
            if progress:
                progress(done)
        return ImportReport(
            spec.kind, scan.rows, total.created, total.updated, total.unchanged, placeholders
        )

    async def _quotes_before(
        self, uow: UnitOfWork, spec: KindSpec, batch: list[Entity]
    ) -> dict[str, Quote | None]:
        """The quotes as they were before this batch: which are new, which re-priced."""
        if self.approvals is None or spec.kind != "quotes":
            return {}
        quotes = cast(list[Quote], batch)
        return {q.external_id: await uow.quotes.get(q.external_id) for q in quotes}


async def _batches(
    entities: AsyncIterator[tuple[int, Entity]], *, size: int, now: datetime
) -> AsyncIterator[list[Entity]]:
    batch: list[Entity] = []
    async for _, entity in entities:
        if isinstance(entity, Client | Quote) and entity.created_at is None:
            entity.created_at = now  # first seen now, by the injected clock
        batch.append(entity)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _audit(
    report: ImportReport, *, actor: str, surface: Surface, now: datetime, name: str
) -> AuditEntry:
    return AuditEntry(
        actor=actor[:64],
        surface=surface,
        action="import",
        entity_type=report.kind,
        entity_id=name[:64] or "-",
        details={
            "file": name,
            "rows": report.rows,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "placeholders": report.placeholders,
        },
        at=now,
    )
