"""The ``crmbot`` command line (CONTRACT §2).

Exit status: 0 on success, 1 on a user error (one line on stderr, no traceback),
2 on bad usage (argparse's own).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from pydantic import ValidationError

from bot import commands, teams_package
from bot.faults import database_unavailable, reason
from bot.settings import Settings
from domain.errors import CrmError

logger = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="crmbot", description="Your CRM, in Slack.")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="HTTP server and scheduler")
    serve.add_argument("--host", default="0.0.0.0")
    serve.add_argument("--port", type=int)
    serve.add_argument("--no-scheduler", action="store_true")

    console = sub.add_parser("console", help="a local chat session in the terminal")
    console.add_argument("--demo", action="store_true", help="a throwaway database of demo data")

    db = sub.add_parser("db", help="schema and backups").add_subparsers(
        dest="db_command", required=True, metavar="ACTION"
    )
    db.add_parser("upgrade", help="create or migrate the schema")
    db.add_parser("backup", help="a consistent copy of a live SQLite database").add_argument(
        "path", type=Path
    )

    demo = sub.add_parser("demo-data", help="fill the database with synthetic data")
    demo.add_argument("--clients", type=_positive, default=300)
    demo.add_argument("--seed", type=int, default=1)

    imp = sub.add_parser("import", help="load a CSV file")
    imp.add_argument(
        "kind", choices=["users", "clients", "orders", "invoices", "payments", "quotes"]
    )
    imp.add_argument("file", type=Path)

    scores = sub.add_parser("scores", help="every client's scores")
    scores.add_argument("--as-of", required=True)
    scores.add_argument("--horizon-days", type=_positive, default=365)
    scores.add_argument("--format", choices=["csv", "json"], default="csv")

    audit = sub.add_parser("audit", help="who changed what, when, from where")
    audit.add_argument("--client")
    audit.add_argument("--since")

    job = sub.add_parser("run-job", help="run one cycle of a scheduled job")
    job.add_argument("job")
    job.add_argument("--now")

    teams = sub.add_parser("teams-package", help="the Teams app package, for a tenant admin")
    teams.add_argument("--app-id", help="the bot's Microsoft App ID (default: TEAMS_APP_ID)")
    teams.add_argument("--domain", help="the host crmbot is served from")
    teams.add_argument("--out", default="crmbot-teams.zip")
    return parser


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # the console's screen is the conversation: only errors may interrupt it
    quiet = {"serve": logging.INFO, "console": logging.ERROR}.get(args.command, logging.WARNING)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else quiet,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        settings = Settings()
        handler = DISPATCH[args.command]
        return asyncio.run(_run(handler, settings, args))
    except ValidationError as exc:
        first = exc.errors()[0]
        print(f"crmbot: configuration error: {first['msg']}", file=sys.stderr)
        return 1
    except CrmError as exc:
        print(f"crmbot: {exc.user_message()}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if not database_unavailable(exc):
            raise
        print(f"crmbot: the database is unavailable ({reason(exc)}); nothing was saved, "
              "try again in a minute", file=sys.stderr)  # fmt: skip
        return 1


async def _run(
    handler: Callable[[Settings, argparse.Namespace], Awaitable[int | None]],
    settings: Settings,
    args: argparse.Namespace,
) -> int:
    return await handler(settings, args) or 0


DISPATCH: dict[str, Callable[[Settings, argparse.Namespace], Awaitable[int | None]]] = {
    "serve": commands.serve,
    "console": commands.console,
    "db": commands.db,
    "demo-data": commands.demo_data,
    "import": commands.import_csv,
    "scores": commands.scores,
    "audit": commands.audit,
    "run-job": commands.run_job,
    "teams-package": teams_package.command,
}

if __name__ == "__main__":
    raise SystemExit(main())
