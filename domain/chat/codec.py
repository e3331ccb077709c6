"""Commands kept server-side behind a button (pending actions) and read back."""

from __future__ import annotations

import dataclasses
from typing import Any

from domain.chat.grammar import ClientQuery, Command, CreateTask, Find, LogActivity
from domain.model import ActivityType

KINDS: dict[str, type[Any]] = {
    "log": LogActivity,
    "task": CreateTask,
    "client": ClientQuery,
    "find": Find,
}


def dump(command: Command) -> dict[str, Any]:
    kind = next(k for k, cls in KINDS.items() if isinstance(command, cls))
    return {"kind": kind, **{k: str(v) if v is not None else None for k, v in _fields(command)}}


def load(data: dict[str, Any]) -> Command:
    cls = KINDS[data["kind"]]
    values = {f.name: data.get(f.name) for f in dataclasses.fields(cls)}
    if cls is LogActivity:
        values["type"] = ActivityType(str(values["type"]))
    return cls(**values)  # type: ignore[no-any-return]


def with_client(command: LogActivity | CreateTask | ClientQuery, client_ref: str) -> Command:
    return dataclasses.replace(command, client=client_ref)


def _fields(command: Any) -> list[tuple[str, Any]]:
    return [(f.name, getattr(command, f.name)) for f in dataclasses.fields(command)]
