"""``bot.faults``: which errors mean "the database is out of reach for now"."""

from __future__ import annotations

import sqlite3

import asyncpg
import pytest
from sqlalchemy import exc as sa

from bot.faults import database_unavailable, reason


def _wrapped(orig: BaseException, kind: type[sa.DBAPIError] = sa.OperationalError) -> Exception:
    """As SQLAlchemy raises a driver's error: wrapped, the driver's as ``orig``."""
    try:
        try:
            raise orig
        except BaseException as e:
            raise kind("SELECT 1", {}, e) from e
    except sa.DBAPIError as wrapped:
        return wrapped


def _raised_in_sqlalchemy(error: BaseException) -> BaseException:
    """A socket error whose traceback passes through SQLAlchemy's pool."""
    from sqlalchemy.pool import base

    try:
        exec("raise error", {"__name__": base.__name__, "error": error})
    except BaseException as e:
        return e
    raise AssertionError


@pytest.mark.parametrize(
    "error",
    [
        _wrapped(sqlite3.OperationalError("database is locked")),
        sqlite3.OperationalError("database is locked"),
        _wrapped(asyncpg.exceptions.AdminShutdownError("terminating connection")),
        _wrapped(asyncpg.exceptions.ConnectionDoesNotExistError("closed in the middle")),
        _wrapped(asyncpg.exceptions.CannotConnectNowError("the database system is starting up")),
        _wrapped(asyncpg.exceptions.TooManyConnectionsError("too many clients")),
        _wrapped(asyncpg.exceptions.InterfaceError("connection is closed"), sa.InterfaceError),
        sa.TimeoutError("QueuePool limit of size 10 overflow 10 reached"),
        _raised_in_sqlalchemy(ConnectionRefusedError(111, "Connect call failed")),
        _raised_in_sqlalchemy(TimeoutError()),
    ],
    ids=lambda e: type(e).__name__,
)
def test_out_of_reach(error: BaseException) -> None:
    assert database_unavailable(error)
    assert "\n" not in reason(error)


@pytest.mark.parametrize(
    "error",
    [
        _wrapped(sqlite3.OperationalError("no such table: clients")),
        _wrapped(sqlite3.IntegrityError("UNIQUE constraint failed"), sa.IntegrityError),
        _wrapped(asyncpg.exceptions.UniqueViolationError("duplicate key"), sa.IntegrityError),
        ConnectionResetError(104, "Slack hung up"),  # not the database's socket
        TimeoutError(),
        ValueError("a bug"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_not_a_database_outage(error: BaseException) -> None:
    assert not database_unavailable(error)
