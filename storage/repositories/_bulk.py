"""Bulk upsert by a natural key, portable across SQLite and PostgreSQL.

Reads the existing rows for the given keys in chunks, inserts the new ones with one
``executemany`` and updates only the rows whose values differ, so an identical import
is a no-op and reports itself as such. Each created or updated row is reported with the
stored values that differed, so the caller can audit it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.ports import RowChange, UpsertResult
from storage.base import Base

CHUNK = 500


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


async def id_map(
    session: AsyncSession, model: type[Base], key: str, keys: Iterable[str]
) -> dict[str, int]:
    """Map natural keys to primary keys for the keys that exist."""
    wanted = sorted(set(keys))
    column = getattr(model, key)
    found: dict[str, int] = {}
    for part in chunks(wanted):
        rows = await session.execute(select(column, model.id).where(column.in_(part)))  # type: ignore[attr-defined]
        found.update({k: i for k, i in rows})
    return found


async def upsert(
    session: AsyncSession,
    model: type[Base],
    key: str,
    records: Sequence[dict[str, Any]],
    *,
    on_insert: dict[str, Any] | None = None,
    on_update: dict[str, Any] | None = None,
    insert_only: frozenset[str] = frozenset(),
) -> UpsertResult:
    """Insert or update ``records`` (column → value) keyed by column ``key``.

    Fields in ``insert_only`` are written when a row is created and otherwise neither
    compared nor changed (e.g. ``created_at``).
    """
    by_key = {r[key]: r for r in records}  # a later row for the same key wins
    first = next(iter(by_key.values()), {})
    fields = [f for f in first if f not in insert_only]
    existing: dict[str, dict[str, Any]] = {}
    column = getattr(model, key)
    cols = [getattr(model, f) for f in fields]
    for part in chunks(list(by_key)):
        rows = await session.execute(select(model.id, *cols).where(column.in_(part)))  # type: ignore[attr-defined]
        for row in rows:
            existing[getattr(row, key)] = row._asdict()
    inserts, updates, unchanged = [], [], 0
    written: list[RowChange] = []
    for k, rec in by_key.items():
        old = existing.get(k)
        if old is None:
            inserts.append({**rec, **(on_insert or {})})
            written.append(RowChange(str(k)))
        elif before := {f: old[f] for f in fields if old[f] != rec[f]}:
            changed = {f: rec[f] for f in fields}
            updates.append({**changed, **(on_update or {}), "id": old["id"]})
            written.append(RowChange(str(k), before))
        else:
            unchanged += 1
    for part in chunks(inserts):
        await session.execute(insert(model), list(part))
    for part in chunks(updates):
        await session.execute(update(model), list(part))
    return UpsertResult(len(inserts), len(updates), unchanged, tuple(written))
