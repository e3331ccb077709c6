"""What each ``crmbot`` subcommand does, with the container it needs."""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import sys
from collections.abc import Awaitable, Callable
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from sqlalchemy.engine import make_url

from bot.audit_text import audit_line
from bot.bootstrap import Container, build
from bot.settings import Settings
from domain.errors import CrmError, UsageError
from storage.db import SQLITE_BUSY_TIMEOUT_MS, is_sqlite

T = TypeVar("T")


def parse_instant(text: str, *, flag: str) -> datetime:
    """An ISO-8601 date or date-time; without a zone it is UTC (CONTRACT §5)."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"{flag} {text!r} is not an ISO-8601 date (e.g. 2026-11-23T08:00)"
        ) from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


async def _with(
    settings: Settings, work: Callable[[Container], Awaitable[T]], *, migrate: bool = True
) -> T:
    container = build(settings)
    try:
        if migrate:
            await container.migrate()
        return await work(container)
    finally:
        await container.close()


async def serve(settings: Settings, args: argparse.Namespace) -> int:
    from bot.serve import run_server

    container = build(settings)
    try:
        await run_server(
            container,
            host=args.host,
            port=args.port or settings.port,
            scheduler=not args.no_scheduler,
        )
    finally:
        await container.close()
    return 0


async def console(settings: Settings, args: argparse.Namespace) -> int:
    from bot.console.session import run_console

    try:
        return await run_console(settings, demo=args.demo)
    except BrokenPipeError:
        # the reader went away (`crmbot console | head`): stop quietly, as Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


async def db(settings: Settings, args: argparse.Namespace) -> int:
    if args.db_command == "upgrade":
        await _with(settings, _noop)
        print(f"database is up to date ({_where(settings)})")
        return 0
    return await _with(settings, lambda c: _backup(c, args.path), migrate=False)


async def _noop(_: Container) -> None:
    return None


async def _backup(container: Container, path: Path) -> int:
    if not is_sqlite(container.settings.database_url):
        raise UsageError("db backup copies SQLite databases; for PostgreSQL use pg_dump")
    if await asyncio.to_thread(path.exists):
        raise UsageError(f"{path} already exists; choose a new file")
    source = make_url(container.settings.database_url).database
    if not source or source == ":memory:":
        raise UsageError("db backup needs a database file; this one lives in memory")
    if not await asyncio.to_thread(Path(source).is_file):
        raise UsageError(f"{source}: no such database file; nothing was written")
    try:
        await asyncio.to_thread(_copy_live, source, path)
    except sqlite3.Error as exc:
        await asyncio.to_thread(path.unlink, missing_ok=True)
        raise CrmError(f"backup to {path} failed: {exc}; nothing was written") from None
    print(f"backed up to {path}")
    return 0


def _copy_live(source: str, target: Path) -> None:
    # SQLite's online backup API copies every page in one step under a read transaction:
    # one consistent snapshot, even while others write (WAL lets them go on meanwhile).
    # A plain connection of its own: the engine's connections BEGIN IMMEDIATE (storage/db.py).
    uri = Path(source).resolve().as_uri() + "?mode=rw"  # rw: never create a missing source
    timeout = SQLITE_BUSY_TIMEOUT_MS / 1000
    with (
        closing(sqlite3.connect(uri, uri=True, timeout=timeout)) as src,
        closing(sqlite3.connect(target, timeout=timeout)) as dst,
    ):
        src.backup(dst, pages=-1)


async def demo_data(settings: Settings, args: argparse.Namespace) -> int:
    from bot.demo_writer import write_demo

    return await _with(settings, lambda c: write_demo(c, clients=args.clients, seed=args.seed))


async def import_csv(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli_import import run_import

    return await _with(settings, lambda c: run_import(c, args.kind, args.file))


async def scores(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli_scores import as_of_cut, print_scores

    as_of_cut(args.as_of)  # a bad date is a usage error before any database work
    return await _with(
        settings,
        lambda c: print_scores(
            c, as_of=args.as_of, horizon_days=args.horizon_days, fmt=args.format
        ),
    )


async def audit(settings: Settings, args: argparse.Namespace) -> int:
    since = parse_instant(args.since, flag="--since") if args.since else None

    async def show(container: Container) -> int:
        async with container.uow() as uow:
            entries = await uow.audit.list(client_external_id=args.client, since=since)
        for e in entries:
            print(audit_line(e))
        if not entries:
            print("no audit entries match", file=sys.stderr)
        return 0

    return await _with(settings, show)


async def run_job(settings: Settings, args: argparse.Namespace) -> int:
    from schedulers.jobs import run_job as run

    now = parse_instant(args.now, flag="--now") if args.now else datetime.now(UTC)

    async def go(container: Container) -> int:
        outcome = await run(container, args.job, now=now)
        print(outcome.summary())
        return 0

    return await _with(settings, go)


def _where(settings: Settings) -> str:
    return make_url(settings.database_url).render_as_string(hide_password=True)
