"""What each ``crmbot`` subcommand does, with the container it needs."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from bot.bootstrap import Container, build
from bot.settings import Settings
from domain.errors import CrmError, UsageError
from storage.db import is_sqlite

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

    return await run_console(settings, demo=args.demo)


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
    from sqlalchemy import text

    async with container.engine.connect() as conn:
        # VACUUM INTO reads one consistent snapshot, even while others write
        await conn.execute(text("VACUUM INTO :path"), {"path": str(path)})
    print(f"backed up to {path}")
    return 0


async def demo_data(settings: Settings, args: argparse.Namespace) -> int:
    from bot.demo_writer import write_demo

    return await _with(settings, lambda c: write_demo(c, clients=args.clients, seed=args.seed))


async def import_csv(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli_import import run_import

    return await _with(settings, lambda c: run_import(c, args.kind, args.file))


async def scores(settings: Settings, args: argparse.Namespace) -> int:
    parse_instant(args.as_of, flag="--as-of")
    raise CrmError(
        "scores are not computed in this build yet (they arrive with the client "
        "intelligence work); nothing was done"
    )


async def audit(settings: Settings, args: argparse.Namespace) -> int:
    since = parse_instant(args.since, flag="--since") if args.since else None

    async def show(container: Container) -> int:
        async with container.uow() as uow:
            entries = await uow.audit.list(client_external_id=args.client, since=since)
        for e in entries:
            at = e.at.isoformat(timespec="seconds") if e.at else "-"
            print(f"{at}\t{e.actor}\t{e.surface}\t{e.action}\t{e.entity_type}:{e.entity_id}")
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
    from sqlalchemy.engine import make_url

    return make_url(settings.database_url).render_as_string(hide_password=True)
