"""The per-row audit of an import: one entry per row it created or changed.

An updated row names each changed field with its value before and after (the shape
``erp_changes`` gives an API ``PUT``: ``{"changes": {field: {"before", "after"}}}``); a
created row lists what it was created with (``after``). A row the file left as it was
gets no entry, so re-importing an identical file writes none. The repositories report
which stored values differed (``RowChange``), by column: a foreign key column
(``client_id``) is shown as the reference the file used (``client_external_id``), its
old value as the internal id it was (``#12``), since only its new value is at hand.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime

from domain.imports import Entity, KindSpec, key_of
from domain.model import AuditEntry, Surface
from domain.services.erp_changes import KEPT_BY_US, _text

NOUNS = {
    "users": "user",
    "clients": "client",
    "orders": "order",
    "invoices": "invoice",
    "payments": "payment",
    "quotes": "quote",
}
_REFERENCE_SUFFIXES = ("_external_id", "_slack_user_id")
AFTER_LIMIT = 500  # a created row's values are kept whole up to this many characters each


@dataclass(frozen=True)
class Importer:
    """Who imports which file, from where."""

    actor: str
    surface: Surface
    file: str


def row_entries(
    spec: KindSpec,
    batch: Sequence[Entity],
    rows: Iterable[tuple[str, Mapping[str, object] | None]],
    *,
    by: Importer,
    now: datetime,
) -> list[AuditEntry]:
    """The audit entries of one applied batch: ``rows`` are ``(key, before)`` pairs,
    ``before`` None for a created row."""
    entities = {key_of(spec, e): e for e in batch}
    noun = NOUNS.get(spec.kind, spec.kind)
    return [
        _entry(noun, key, entity, before, by=by, now=now)
        for key, before in rows
        if (entity := entities.get(key)) is not None
    ]


def _entry(
    noun: str,
    key: str,
    entity: Entity,
    before: Mapping[str, object] | None,
    *,
    by: Importer,
    now: datetime,
) -> AuditEntry:
    details: dict[str, object] = {"via": "import", "file": by.file}
    if client := _client_of(entity, noun, key):
        details["client_external_id"] = client
    if before is None:
        details["after"] = created_values(entity)
    else:
        details["changes"] = changed_values(entity, before)
    return AuditEntry(
        actor=by.actor[:64],
        surface=by.surface,
        action=f"{noun}.{'created' if before is None else 'updated'}",
        entity_type=noun,
        entity_id=key[:64],
        details=details,
        at=now,
    )


def created_values(entity: Entity) -> dict[str, str]:
    """The fields a row was created with (none of the empty ones): per row of a large
    file, so kept lean (the field names are looked up once per kind)."""
    values = {}
    for name in _shown(type(entity)):
        value = getattr(entity, name)
        if value is None or value == []:
            continue
        text = value if isinstance(value, str) else _text(value) or ""
        values[name] = text[:AFTER_LIMIT]
    return values


def _shown(kind: type[Entity]) -> tuple[str, ...]:
    names = _SHOWN.get(kind)
    if names is None:
        names = _SHOWN[kind] = tuple(f.name for f in fields(kind) if f.name not in KEPT_BY_US)
    return names


_SHOWN: dict[type[Entity], tuple[str, ...]] = {}


def changed_values(
    entity: Entity, before: Mapping[str, object]
) -> dict[str, dict[str, str | None]]:
    names = {f.name for f in fields(entity)} - KEPT_BY_US
    changes: dict[str, dict[str, str | None]] = {}
    for column, old in before.items():
        if column in names:
            changes[column] = {"before": _text(old), "after": _text(getattr(entity, column))}
        elif (field := _reference(names, column)) is not None:
            was = None if old is None else f"#{old}"
            changes[field] = {"before": was, "after": _text(getattr(entity, field))}
    return changes


def _reference(names: set[str], column: str) -> str | None:
    """``client_id`` → ``client_external_id``, ``owner_id`` → ``owner_slack_user_id``."""
    if not column.endswith("_id"):
        return None
    for suffix in _REFERENCE_SUFFIXES:
        if (name := column[: -len("_id")] + suffix) in names:
            return name
    return None


def _client_of(entity: Entity, noun: str, key: str) -> str | None:
    if noun == "client":
        return key
    client = getattr(entity, "client_external_id", None)
    return str(client) if client else None
