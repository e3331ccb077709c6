"""``crmbot import KIND FILE``: the command-line adapter of ``ImportService``."""

from __future__ import annotations

import asyncio
import getpass
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from bot.bootstrap import Container
from domain.errors import CrmError
from domain.imports import KINDS, decode_lines, read_csv
from domain.model import Surface
from domain.services.importing import ImportReport, ImportService

NOTHING = "nothing imported"


class CsvFile:
    """The rows of a CSV file; each iteration re-opens it, so the service can read it twice.

    Reading is synchronous: the ``crmbot import`` process has nothing else on its loop,
    and the service yields to the loop every thousand rows.
    """

    def __init__(self, kind: str, path: Path) -> None:
        self.kind = kind
        self.path = path

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        with self.path.open("rb") as raw:
            yield from read_csv(self.kind, decode_lines(raw))


def count_rows(path: Path) -> int:
    """Data rows, roughly (a quoted cell may span lines): fast enough for a progress total."""
    lines, last = 0, b"\n"
    with path.open("rb") as raw:
        while chunk := raw.read(1 << 20):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return max(lines + (last != b"\n") - 1, 0)


def _actor() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in some containers
        return "cli"


async def run_import(
    container: Container,
    kind: str,
    path: Path,
    *,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Import ``path`` as ``kind``; returns the exit status (0 done, 1 nothing imported)."""
    # looked up per call: sys.stdout may be replaced after import (redirect_stdout, pytest)
    out, err = out or sys.stdout, err or sys.stderr
    if kind not in KINDS:
        print(f"unknown kind {kind!r} (expected {', '.join(KINDS)}); {NOTHING}", file=err)
        return 1
    if not await asyncio.to_thread(path.is_file):
        print(f"{path}: no such file; {NOTHING}", file=err)
        return 1
    try:
        report = await _run(container, kind, path, err)
    except CrmError as exc:  # ImportRejected names every bad line and says nothing was imported
        print(exc.user_message(), file=err)
        return 1
    except OSError as exc:
        print(f"{path}: {exc.strerror or exc}; {NOTHING}", file=err)
        return 1
    print(report.summary(), file=out)
    return 0


async def _run(container: Container, kind: str, path: Path, err: TextIO) -> ImportReport:
    shown = err.isatty()
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(file=err),
        disable=not shown,
        transient=True,
    )
    with progress:
        total = await asyncio.to_thread(count_rows, path) if shown else None
        task = progress.add_task(f"importing {kind}", total=total)
        return await ImportService(approvals=container.approvals).run(
            kind,
            CsvFile(kind, path),
            # SqlUnitOfWork declares its repositories as Sql* types, which mypy holds
            # invariant against the port's mutable attributes; the shapes do match
            uow_factory=container.uow,
            actor=_actor(),
            surface=Surface.CLI,
            now=container.clock(),
            progress=lambda done: progress.update(task, completed=done),
            name=path.name,
        )
