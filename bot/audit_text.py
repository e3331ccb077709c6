"""``crmbot audit`` output: one line per audit row, tab-separated, greppable.

``at  actor  surface  action  entity_type:entity_id  details``. The details column (left
out when there are none) lists each changed field as ``field: before → after`` — from
the row's ``before``/``after`` maps or its ``changes`` (``{field: {before, after}}``) —
then the other facts as ``key=value``, joined by ``; ``. Values are cut, and tabs,
newlines and control characters (a terminal escape in an imported name) are dropped,
so a row can neither break the layout nor drive the terminal.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from domain.model import AuditEntry
from domain.text import cut, printable

VALUE_LIMIT = 60
NONE = "(none)"
ARROW = " → "
_CHANGE_KEYS = ("before", "after", "changes")
_C1_CONTROLS = re.compile(r"[\x80-\x9f]")  # CSI and friends: printable() keeps them


def audit_line(entry: AuditEntry) -> str:
    at = entry.at.isoformat(timespec="seconds") if entry.at else "-"
    head = [
        at,
        _clean(entry.actor),
        str(entry.surface),
        _clean(entry.action),
        _clean(f"{entry.entity_type}:{entry.entity_id}"),
    ]
    details = describe(entry.details)
    return "\t".join([*head, details] if details else head)


def describe(details: Mapping[str, Any]) -> str:
    """The changed fields (before → after), then the other facts, on one line."""
    parts = [f"{_clean(k)}: {_value(b)}{ARROW}{_value(a)}" for k, (b, a) in changed(details)]
    parts += [f"{_clean(k)}={_value(v)}" for k, v in details.items() if k not in _CHANGE_KEYS]
    return "; ".join(parts)


def changed(details: Mapping[str, Any]) -> list[tuple[str, tuple[Any, Any]]]:
    """``(field, (before, after))`` for each field a row says it changed."""
    found: dict[str, tuple[Any, Any]] = {}
    before, after = details.get("before"), details.get("after")
    if isinstance(before, Mapping) or isinstance(after, Mapping):
        old = before if isinstance(before, Mapping) else {}
        new = after if isinstance(after, Mapping) else {}
        for key in [*old, *(k for k in new if k not in old)]:
            if old.get(key) != new.get(key):
                found[str(key)] = (old.get(key), new.get(key))
    elif before is not None or after is not None:
        found["value"] = (before, after)
    changes = details.get("changes")
    if isinstance(changes, Mapping):
        for key, change in changes.items():
            if isinstance(change, Mapping):
                found[str(key)] = (change.get("before"), change.get("after"))
    return list(found.items())


def _value(value: Any) -> str:
    if value is None or value == "":
        return NONE
    text = value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)
    return cut(_clean(text), VALUE_LIMIT)


def _clean(text: str) -> str:
    return " ".join(_C1_CONTROLS.sub("", printable(text)).split())
