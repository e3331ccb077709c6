"""Recognise "the database is not answering", in one place, for every adapter.

SQLite locked past its busy timeout, a PostgreSQL server restarting, a connection it
killed, a pool that cannot hand out a connection: none of these is a bug, and none is
the user's fault. Slack replies, the REST API, the CLI and the ticker each turn such an
error into a polite, retryable answer (and a one-line warning, not a traceback); any
other error keeps its full treatment.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator

from sqlalchemy import exc as sa

logger = logging.getLogger(__name__)

BUSY = "The CRM database is busy right now; nothing was saved. Try again in a minute."
RETRY_AFTER_SECONDS = 30

# SQLite says these when another connection holds the lock or the file is out of reach
_SQLITE_TEXTS = (
    "database is locked",
    "database table is locked",
    "database is busy",
    "unable to open database file",
    "disk i/o error",
)
# PostgreSQL SQLSTATE classes: 08 connection exception, 57P operator intervention
# (admin shutdown, crash shutdown, cannot connect now), 53300 too many connections
_PG_STATES = ("08", "57P", "53300")
# modules whose frames make a socket error or a timeout the database's (not Slack's)
_DRIVERS = ("sqlalchemy", "asyncpg", "aiosqlite", "sqlite3", "storage.db")
# asyncpg (and SQLAlchemy's adapter over it) when the socket has gone
_CLOSED_TEXTS = ("connection is closed", "connection was closed", "underlying connection is closed")


def database_unavailable(error: BaseException) -> bool:
    """True when ``error`` (or anything it was raised from) says the database is out of
    reach for now, as opposed to a bug or a constraint the request broke."""
    return any(_unavailable_one(e) for e in _chain(error))


def sorry(error: BaseException, *, doing: str, otherwise: str) -> str:
    """What to tell a user whose request failed on ``error``: ``BUSY`` (and a warning
    line) when the database is out of reach, else ``otherwise`` (and the traceback)."""
    if database_unavailable(error):
        logger.warning("%s: database unavailable: %s", doing, reason(error))
        return BUSY
    logger.error("%s failed", doing, exc_info=error)
    return otherwise


def reason(error: BaseException) -> str:
    """A short, one-line account of what the driver said, for a log line."""
    for e in _chain(error):
        if _unavailable_one(e) and not isinstance(e, sa.SQLAlchemyError):
            return f"{type(e).__name__}: {_first_line(e)}"
    return f"{type(error).__name__}: {_first_line(error)}"


def _unavailable_one(e: BaseException) -> bool:
    if isinstance(e, sa.DBAPIError) and e.connection_invalidated:
        return True
    if isinstance(e, sa.TimeoutError | sa.DisconnectionError):  # pool exhausted, or gone
        return True
    if isinstance(e, ConnectionError | TimeoutError):  # only a database socket's, not Slack's
        return _raised_in_driver(e)
    if isinstance(e, sqlite3.OperationalError):
        return _says(e, _SQLITE_TEXTS)
    state = getattr(e, "sqlstate", None)
    if isinstance(state, str) and state.startswith(_PG_STATES):
        return True
    if type(e).__module__.startswith(("asyncpg", "sqlalchemy.dialects.postgresql")):
        return _says(e, _CLOSED_TEXTS)
    return False


def _raised_in_driver(e: BaseException) -> bool:
    tb = e.__traceback__
    while tb is not None:
        if str(tb.tb_frame.f_globals.get("__name__", "")).startswith(_DRIVERS):
            return True
        tb = tb.tb_next
    return False


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    todo: list[BaseException | None] = [error]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        orig = getattr(e, "orig", None)
        todo += [e.__cause__, e.__context__, orig if isinstance(orig, BaseException) else None]


def _says(e: BaseException, texts: tuple[str, ...]) -> bool:
    message = str(e).casefold()
    return any(t in message for t in texts)


def _first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    if text:
        return text[0][:200]
    return "gave up waiting" if isinstance(e, TimeoutError) else "(no message)"
