"""Our own phrase rules, tried before dateparser (CONTRACT §4.1).

They cover what dateparser gets wrong or does not know: `eod`, `end of week`, times that
must roll over to tomorrow, weekdays whose time is still ahead today, the 09:00 default,
`next month`, and offsets that must stay exact across a DST change. Each rule reads the
whole normalised text and returns an aware datetime in the user's zone, or raises
ValueError for a clock that does not exist (`25:00`, `13pm`).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_TIME = time(9)
END_OF_DAY = time(17)
TONIGHT = time(20)
DAY_PARTS = {
    "morning": time(9),
    "noon": time(12),
    "midday": time(12),
    "afternoon": time(14),
    "evening": time(18),
    "night": time(20),
}
WEEKDAYS = {
    **dict.fromkeys(("monday", "mon"), 0),
    **dict.fromkeys(("tuesday", "tues", "tue"), 1),
    **dict.fromkeys(("wednesday", "wed"), 2),
    **dict.fromkeys(("thursday", "thurs", "thur", "thu"), 3),
    **dict.fromkeys(("friday", "fri"), 4),
    **dict.fromkeys(("saturday", "sat"), 5),
    **dict.fromkeys(("sunday", "sun"), 6),
}
DAY_WORDS = {"today": 0, "tomorrow": 1, "tmrw": 1, "tmr": 1, "yesterday": -1}
NUMBERS = {
    **{"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5},
    **{"six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10},
}
UNITS = {
    **dict.fromkeys(("minute", "minutes", "min", "mins"), "minutes"),
    **dict.fromkeys(("hour", "hours", "hr", "hrs"), "hours"),
    **dict.fromkeys(("day", "days"), "days"),
    **dict.fromkeys(("week", "weeks", "wk", "wks"), "weeks"),
    **dict.fromkeys(("month", "months"), "months"),
    **dict.fromkeys(("year", "years", "yr", "yrs"), "years"),
}


@dataclass(frozen=True)
class Ctx:
    """What a rule needs: the present in the user's zone, and which way to look."""

    now: datetime  # aware, in `zone`
    zone: ZoneInfo
    future: bool  # True for tasks (and unspecified); False for activities, which look back

    @property
    def today(self) -> date:
        return self.now.date()

    def at(self, day: date, clock: time) -> datetime:
        return local_time(day, clock, self.zone)


def local_time(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """`clock` on `day` in `zone`, normalised through UTC.

    A wall time skipped by a spring-forward change moves ahead by the gap (02:30 → 03:30);
    a wall time repeated by a fall-back change is its first occurrence (fold=0).
    """
    naive = datetime.combine(day, clock.replace(tzinfo=None, fold=0))
    return naive.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)


def _alt(words: Iterable[str]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


_CLOCK = r"\d{1,2}(?::\d{2})? ?(?:am|pm)|\d{1,2}:\d{2}"
_TIME = rf"(?P<time>{_alt(DAY_PARTS)}|{_CLOCK})"
_DAY = rf"(?P<day>{_alt(DAY_WORDS)}|(?:(?P<rel>next|this|last|on) )?(?P<wd>{_alt(WEEKDAYS)}))"
_N = rf"(?P<n>\d+|{_alt(NUMBERS)})"
_UNIT = rf"(?P<unit>{_alt(UNITS)})"


def parse_clock(text: str) -> time:
    """`3pm`, `3:30 pm`, `15:30`, `noon`, `morning` → a time; ValueError when impossible."""
    if text in DAY_PARTS:
        return DAY_PARTS[text]
    found = re.fullmatch(r"(\d{1,2})(?::(\d{2}))? ?(am|pm)?", text, re.ASCII)
    if found is None:
        raise ValueError(text)
    hour, minute = int(found[1]), int(found[2] or 0)
    if found[3]:
        if not 1 <= hour <= 12:
            raise ValueError(text)
        hour = hour % 12 + (12 if found[3] == "pm" else 0)
    return time(hour, minute)


def roll(day: date, clock: time, ctx: Ctx, *, step: int) -> datetime:
    """`clock` on `day`, or `step` days later when that has passed and we look ahead."""
    result = ctx.at(day, clock)
    if ctx.future and result < ctx.now:
        result = ctx.at(day + timedelta(days=step), clock)
    return result


def _weekday(weekday: int, rel: str | None, clock: time, ctx: Ctx) -> datetime:
    today = ctx.today
    ahead = (weekday - today.weekday()) % 7
    back = (today.weekday() - weekday) % 7
    if rel == "next":  # the first such day after today
        return ctx.at(today + timedelta(days=ahead or 7), clock)
    if rel == "last":  # the last such day before today
        return ctx.at(today - timedelta(days=back or 7), clock)
    if ctx.future:  # the next occurrence still ahead, today included
        return roll(today + timedelta(days=ahead), clock, ctx, step=7)
    return ctx.at(today - timedelta(days=back), clock)  # the latest, today included


def _day_time(m: re.Match[str], ctx: Ctx) -> datetime:
    clock = parse_clock(m["time"]) if m["time"] else None
    if m["day"] is None:  # a bare time: today, else tomorrow when looking ahead
        assert clock is not None
        return roll(ctx.today, clock, ctx, step=1)
    if m["wd"]:
        return _weekday(WEEKDAYS[m["wd"]], m["rel"], clock or DEFAULT_TIME, ctx)
    return ctx.at(ctx.today + timedelta(days=DAY_WORDS[m["day"]]), clock or DEFAULT_TIME)


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end (31 Jan + 1 → 28/29 Feb)."""
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last))


def _offset(m: re.Match[str], ctx: Ctx) -> datetime:
    """Hours and minutes are exact; days and longer keep the local time of day."""
    count = NUMBERS.get(m["n"]) or int(m["n"])
    if m["dir"] == "ago":
        count = -count
    unit = UNITS[m["unit"]]
    if unit in ("minutes", "hours"):
        return (ctx.now.astimezone(UTC) + timedelta(**{unit: count})).astimezone(ctx.zone)
    if unit in ("months", "years"):
        day = add_months(ctx.today, count * (12 if unit == "years" else 1))
    else:
        day = ctx.today + timedelta(**{unit: count})
    return ctx.at(day, ctx.now.time())


def _end_of_week(_: re.Match[str], ctx: Ctx) -> datetime:
    friday = ctx.today + timedelta(days=4 - ctx.today.weekday())
    return roll(friday, END_OF_DAY, ctx, step=7)


def _end_of_month(_: re.Match[str], ctx: Ctx) -> datetime:
    last = add_months(ctx.today.replace(day=1), 1) - timedelta(days=1)
    result = ctx.at(last, END_OF_DAY)
    if ctx.future and result < ctx.now:
        result = ctx.at(add_months(last.replace(day=1), 2) - timedelta(days=1), END_OF_DAY)
    return result


def _next_week(_: re.Match[str], ctx: Ctx) -> datetime:
    return ctx.at(ctx.today + timedelta(days=7 - ctx.today.weekday()), DEFAULT_TIME)


def _next_month(_: re.Match[str], ctx: Ctx) -> datetime:
    return ctx.at(add_months(ctx.today.replace(day=1), 1), DEFAULT_TIME)


Rule = Callable[[re.Match[str], Ctx], datetime]


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.ASCII)


RULES: list[tuple[re.Pattern[str], Rule]] = [
    (_rx(r"(?:right )?now"), lambda _, ctx: ctx.now),
    (
        _rx(r"eod|cob|close of business|end of (?:the |to)?day"),
        lambda _, ctx: roll(ctx.today, END_OF_DAY, ctx, step=1),
    ),
    (_rx(r"tonight"), lambda _, ctx: roll(ctx.today, TONIGHT, ctx, step=1)),
    (_rx(r"eow|end of (?:the |this )?week"), _end_of_week),
    (_rx(r"eom|end of (?:the |this )?month"), _end_of_month),
    (_rx(r"next week"), _next_week),
    (_rx(r"next month"), _next_month),
    (
        _rx(r"this (?P<time>morning|afternoon|evening)"),
        lambda m, ctx: ctx.at(ctx.today, DAY_PARTS[m["time"]]),
    ),
    (_rx(rf"(?P<dir>in) {_N} {_UNIT}"), _offset),
    (_rx(rf"{_N} {_UNIT} (?P<dir>ago|from now|later)"), _offset),
    (_rx(rf"{_DAY}(?: (?:at )?{_TIME})?"), _day_time),
    (_rx(rf"(?:at )?{_TIME}(?: {_DAY})?"), _day_time),
]


def match_phrase(text: str, ctx: Ctx) -> datetime | None:
    """The first rule that reads the whole of `text`, or None to hand it to dateparser."""
    for pattern, rule in RULES:
        found = pattern.fullmatch(text)
        if found is not None:
            return rule(found, ctx)
    return None
