"""The dates users type (`WHEN`, CONTRACT §4.1) and the dates we show them back.

Everything is read in the user's own zone and returned as aware UTC. Our phrase table
(`domain.dates_phrases`) is tried first; dateparser reads the rest (absolute dates).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import dateparser

from domain.dates_phrases import DEFAULT_TIME, Ctx, local_time, match_phrase
from domain.errors import BadDate

Purpose = Literal["task", "activity"]

MAX_LENGTH = 100  # longer text is no date, and dateparser must never see 10 KB of junk
FUTURE_GRACE = timedelta(minutes=5)  # an activity "now" typed a little late still counts
MAX_YEARS_AWAY = 50
ORDERS = frozenset({"MDY", "DMY", "YMD"})
_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

_JUNK = re.compile(r"(?:at )?\d+|[a-z]|[^a-z0-9]*", re.ASCII)  # `at 3`, one letter, no word
_HAS_TIME = re.compile(r"\d:\d\d|\d ?[ap]m\b|noon|midnight|morning|afternoon|evening|night")
_HAS_YEAR = re.compile(r"\b\d{4}\b|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}", re.ASCII)
_MONTH_NAME = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b")
_NUMERIC_DAY = re.compile(r"\b(\d{1,2})[/.](\d{1,2})\b", re.ASCII)
_LEADING_WORDS = re.compile(r"^(?:due |due by |by |on )")


def as_zone(tz: str | ZoneInfo) -> ZoneInfo:
    return tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)


def _utc(dt: datetime) -> datetime:
    """Aware UTC; a naive value is taken to be UTC already (what we store)."""
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def parse_when(
    text: str,
    *,
    now: datetime,
    tz: str | ZoneInfo,
    purpose: Purpose | None = None,
    locale_order: str = "MDY",
) -> datetime:
    """Read `text` in zone `tz` as of `now`; return aware UTC, or raise BadDate.

    - A date without a time is 09:00 local; morning 09:00, noon 12:00, afternoon 14:00,
      evening 18:00, night 20:00. `eod` is 17:00, `tonight` 20:00, `end of week` Friday
      17:00: today's (this week's), or the next one once it has passed.
    - `next friday` is the first Friday after today; `last friday` the last one before it;
      a bare `friday 9am` is the next one still ahead (today if 09:00 is to come). A bare
      `3pm` is today, else tomorrow. `next week` is next Monday 09:00, `next month` the 1st.
    - `in 2 hours`, `2 hours ago` are exact instants; `in 3 days`, `in 2 weeks`, `in 1 month`
      keep the present local time of day (across a DST change too).
    - Numeric dates follow the user's locale: `12/01` is 1 Dec for "MDY" (the US default)
      and 12 Jan for "DMY". An ISO date `YYYY-MM-DD` is always ISO. A date given without
      its year is the next one ahead (`dec 1` → this Dec 1 if still ahead, else next year's).
    - purpose="activity" looks back instead: a bare time or weekday is today's or the latest,
      rollovers do not happen, a yearless date is the last one gone by (dateparser prefers
      the past); a result more than 5 minutes ahead is refused. purpose="task" refuses a
      result before `now`.
    - A local time skipped by DST moves ahead by the gap; a repeated one is the first.
    """
    if locale_order not in ORDERS:
        raise ValueError(f"locale_order must be one of {sorted(ORDERS)}, not {locale_order!r}")
    zone = as_zone(tz)
    ctx = Ctx(now=_utc(now).astimezone(zone), zone=zone, future=purpose != "activity")
    clean = _normalise(text)
    try:
        found = match_phrase(clean, ctx) or _with_dateparser(clean, ctx, locale_order)
    except (ValueError, OverflowError) as exc:
        raise BadDate(_shown(text)) from exc
    if found is None or abs(found.year - ctx.now.year) > MAX_YEARS_AWAY:
        raise BadDate(_shown(text))
    _check_purpose(found, ctx, purpose, text)
    return found.astimezone(UTC)


def _normalise(text: str) -> str:
    """Lower case, single spaces; refuses what can be no date before any parsing."""
    clean = " ".join(text.lower().split())
    if len(clean) > MAX_LENGTH:
        raise BadDate(_shown(text), hint="That is far too long to be a date.")
    if any(unicodedata.category(char) == "Cc" for char in clean):
        raise BadDate(_shown(text))
    # zero-width spaces and direction marks come with pasted text: drop them
    clean = "".join(char for char in clean if unicodedata.category(char) != "Cf")
    clean = clean.replace("a.m.", "am").replace("p.m.", "pm").rstrip(".,!")
    clean = _LEADING_WORDS.sub("", clean)
    if _JUNK.fullmatch(clean):
        raise BadDate(_shown(text))
    return clean


def _shown(text: str) -> str:
    """The text as quoted back in an error: printable, and short."""
    printable = "".join(c if c.isprintable() or c.isspace() else "\ufffd" for c in text[:200])
    short = " ".join(printable.split())
    return short if len(short) <= 40 else short[:39] + "…"


def _with_dateparser(text: str, ctx: Ctx, order: str) -> datetime | None:
    settings = {
        "RELATIVE_BASE": ctx.now.replace(tzinfo=None),
        "TIMEZONE": ctx.zone.key,
        "RETURN_AS_TIMEZONE_AWARE": True,
        "PREFER_DATES_FROM": "future" if ctx.future else "past",
        "DATE_ORDER": order,
        "PREFER_DAY_OF_MONTH": "first",
    }
    parsed: datetime | None = dateparser.parse(text, languages=["en"], settings=settings)
    if parsed is None or not _numbers_kept(text, parsed):
        return None
    # dateparser gives the wall time in the user's zone; rebuild it with zoneinfo so that
    # DST gaps and repeats follow our rule rather than pytz's.
    clock = parsed.time() if _HAS_TIME.search(text) else DEFAULT_TIME
    found = local_time(parsed.date(), clock, ctx.zone)
    has_day = _MONTH_NAME.search(text) or _NUMERIC_DAY.search(text)
    if has_day and not _HAS_YEAR.search(text):
        found = _nearest_year(found, ctx)
    return found


def _numbers_kept(text: str, parsed: datetime) -> bool:
    """`12/01` must come out as month and day (either way round), not as a year or a clock:
    dateparser reads `2/30` as 2 Nov 2030 and `10.30` as 10:30."""
    numeric = _NUMERIC_DAY.search(text)
    if numeric is None:
        return True
    first, second = int(numeric[1]), int(numeric[2])
    return (parsed.month, parsed.day) in ((first, second), (second, first))


def _nearest_year(found: datetime, ctx: Ctx) -> datetime:
    """A day and month without a year: the next one ahead, or for activities the last one."""
    candidates = []
    for year in (ctx.now.year - 1, ctx.now.year, ctx.now.year + 1):
        try:
            day = found.date().replace(year=year)
        except ValueError:  # 29 Feb
            continue
        candidates.append(local_time(day, found.time(), ctx.zone))
    if ctx.future:
        return min((c for c in candidates if c >= ctx.now), default=found)
    return max((c for c in candidates if c <= ctx.now + FUTURE_GRACE), default=found)


def _check_purpose(found: datetime, ctx: Ctx, purpose: Purpose | None, text: str) -> None:
    if purpose == "task" and found < ctx.now:
        hint = "That's in the past ({}); a due date has to be ahead."
    elif purpose == "activity" and found > ctx.now + FUTURE_GRACE:
        hint = "That's in the future ({}); log an activity once it has happened."
    else:
        return
    raise BadDate(_shown(text), hint=hint.format(format_when(found, ctx.zone, now=ctx.now)))


def format_when(dt: datetime, tz: str | ZoneInfo, *, now: datetime | None = None) -> str:
    """`Fri 4 Dec, 09:00 PST` in zone `tz`; the year is added when it is not `now`'s year
    (always, when `now` is not given)."""
    zone = as_zone(tz)
    local = _utc(dt).astimezone(zone)
    same_year = now is not None and _utc(now).astimezone(zone).year == local.year
    year = "" if same_year else f" {local.year}"
    day = f"{_DAY_NAMES[local.weekday()]} {local.day} {_MONTH_NAMES[local.month - 1]}{year}"
    return f"{day}, {local:%H:%M} {zone_label(local)}"


def zone_label(local: datetime) -> str:
    """The zone's letter abbreviation (`PST`), else its offset (`UTC+13`, `UTC+5:45`)."""
    name = local.tzname() or ""
    if name.isalpha():
        return name
    minutes = int((local.utcoffset() or timedelta(0)).total_seconds()) // 60
    if minutes == 0:
        return "UTC"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{'+' if minutes > 0 else '-'}{hours}" + (f":{rest:02d}" if rest else "")


def next_working_day_9am(*, now: datetime, tz: str | ZoneInfo) -> datetime:
    """09:00 local on the first working day (Mon–Fri) after today: a task's default due date."""
    zone = as_zone(tz)
    day: date = _utc(now).astimezone(zone).date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return local_time(day, time(9), zone).astimezone(UTC)
