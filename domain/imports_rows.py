"""Cell parsers for CSV imports: one converter per kind of value, and a row reader.

A converter turns a stripped, non-empty cell into a value or raises ``BadValue`` with
the reason; ``Fields`` applies them to a row and collects one message per bad cell
("column 'value': reason"), so that a row reports every problem at once.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import TypeVar
from zoneinfo import available_timezones

from domain.model import Role

T = TypeVar("T")
Converter = Callable[[str], T]

MAX_MONEY = Decimal(10) ** 12  # MONEY columns are NUMERIC(14, 2)
MAX_INT = 2**31 - 1
CENT = Decimal("0.01")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_NOT_FINITE = frozenset({"nan", "snan", "inf", "infinity"})
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
_CURRENCY = re.compile(r"[A-Z]{3}")
_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class BadValue(ValueError):
    """A cell that cannot be read; the message says why, without the column name."""


def show(value: str, limit: int = 40) -> str:
    """The cell as quoted in a message: repr (so whitespace shows), cut when long."""
    return repr(value if len(value) <= limit else value[:limit] + "…")


def _no_controls(value: str) -> str:
    if any(unicodedata.category(c) == "Cc" for c in value):
        raise BadValue("contains a line break or control character")
    return value


def identifier(max_len: int = 64) -> Converter[str]:
    def convert(value: str) -> str:
        if len(value) > max_len:
            raise BadValue(f"longer than {max_len} characters")
        return _no_controls(value)

    return convert


def line(max_len: int) -> Converter[str]:
    """Single-line text such as a name, a phone number or a category."""
    return identifier(max_len)


def long_text(value: str) -> str:
    return value


def money(value: str) -> Decimal:
    return _decimal(value, ceiling=MAX_MONEY, inclusive=False)


def percent(value: str) -> Decimal:
    return _decimal(value, ceiling=Decimal(100), inclusive=True)


def _decimal(value: str, *, ceiling: Decimal, inclusive: bool) -> Decimal:
    if value.lower().lstrip("+-") in _NOT_FINITE:
        raise BadValue("not a finite number")
    if not _NUMBER.fullmatch(value):
        raise BadValue("not a decimal number (write it like 1234.50)")
    try:
        number = Decimal(value)
    except InvalidOperation as exc:  # the pattern should make this unreachable
        raise BadValue("not a decimal number") from exc
    if number < 0:
        raise BadValue("must not be negative")
    # the ceiling first: quantizing a number of more than 28 digits raises InvalidOperation
    if number > ceiling or (number == ceiling and not inclusive):
        limit = "at most" if inclusive else "less than"
        raise BadValue(f"must be {limit} {ceiling}")
    if number != number.quantize(CENT):
        raise BadValue("has more than 2 decimals")
    return number.quantize(CENT).copy_abs()


def count(value: str) -> int:
    if not _INTEGER.fullmatch(value):
        raise BadValue("not a whole number")
    number = int(value)
    if number < 0:
        raise BadValue("must not be negative")
    if number > MAX_INT:
        raise BadValue(f"must be at most {MAX_INT}")
    return number


def timestamp(value: str) -> datetime:
    """ISO-8601; a value without a zone (or a plain date, at midnight) is UTC."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise BadValue(
            "not an ISO-8601 date (write it like 2026-01-31 or 2026-01-31T09:30Z)"
        ) from exc
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError as exc:  # 9999-12-31T23:00-05:00 is past the year 9999 in UTC
        raise BadValue("out of the range of dates") from exc


def role(value: str) -> Role:
    try:
        return Role(value.lower())
    except ValueError as exc:
        raise BadValue("not one of " + ", ".join(r.value for r in Role)) from exc


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def zone(value: str) -> str:
    if value not in _zones():
        raise BadValue("not an IANA time zone (write it like Europe/Paris)")
    return value


def tags(value: str) -> list[str]:
    found: list[str] = []
    for tag in (part.strip() for part in value.split(";")):
        if tag and tag not in found:
            found.append(_no_controls(tag))
    return found


def email(value: str) -> str:
    if len(value) > 320 or not _EMAIL.fullmatch(value):
        raise BadValue("not an email address")
    return value


def aad_object_id(value: str) -> str:
    """A Microsoft Entra (AAD) object id, as Teams sends it: a GUID, in lower case."""
    guid = value.strip("{}").lower()
    if not _GUID.fullmatch(guid):
        raise BadValue("not an AAD object id (a GUID such as 00000000-0000-0000-0000-000000000000)")
    return guid


def currency(value: str) -> str:
    code = value.upper()
    if not _CURRENCY.fullmatch(code):
        raise BadValue("not a 3-letter currency code")
    return code


class Fields:
    """Reads the cells of one row, collecting a message for each bad one."""

    def __init__(self, row: Mapping[str, str | None]) -> None:
        self.row = row
        self.problems: list[str] = []
        self.bad: set[str] = set()

    def _read(self, column: str, convert: Converter[T], *, required: bool) -> T | None:
        raw = (self.row.get(column) or "").strip()
        if not raw:
            if required:
                self.bad.add(column)
                self.problems.append(f"{column}: required, but empty")
            return None
        try:
            return convert(raw)
        except BadValue as exc:
            self.problem(column, raw, str(exc))
            return None

    def required(self, column: str, convert: Converter[T], *, default: T) -> T:
        """The value; ``default`` stands in when the cell is bad (the row is then rejected)."""
        value = self._read(column, convert, required=True)
        return default if value is None else value

    def optional(self, column: str, convert: Converter[T]) -> T | None:
        return self._read(column, convert, required=False)

    def problem(self, column: str, value: str, why: str) -> None:
        self.bad.add(column)
        self.problems.append(f"{column} {show(value)}: {why}")
