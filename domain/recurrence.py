"""Repeating tasks: "every 2 weeks", "monthly", "every monday and thursday".

A rule is kept in ``tasks.recurrence`` in its canonical words (``every 2 weeks``,
``every mon,thu``, ``every weekday``), which this module reads back. Occurrences are
counted in the assignee's wall time, so a task due Mondays at 09:00 stays at 09:00
across a DST change. Counting goes from the previous due date, not from when it was
done: a late Done does not shift the schedule, and occurrences already past are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from domain.dates import parse_when
from domain.dates_phrases import WEEKDAYS, add_months, local_time

UNITS = {"day": "day", "days": "day", "week": "week", "weeks": "week", "wk": "week"}
UNITS |= {"wks": "week", "month": "month", "months": "month", "year": "year", "years": "year"}
WORDS = {
    "daily": (1, "day"),
    "weekly": (1, "week"),
    "biweekly": (2, "week"),
    "fortnightly": (2, "week"),
    "monthly": (1, "month"),
    "quarterly": (3, "month"),
    "yearly": (1, "year"),
    "annually": (1, "year"),
}
NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "other": 2}
DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MAX_INTERVAL = 365
MAX_STEPS = 5000  # a daily rule from more than ten years ago is not worth counting on

_EVERY = re.compile(r"^(?:repeats?|repeating)?\s*every\s+(?P<body>.+)$")
_INTERVAL = re.compile(r"^(?:(?P<n>\d{1,3}|[a-z]+)\s+)?(?P<unit>[a-z]+)$")
_START = re.compile(r"\s+(?:from|starting(?: on| from)?|beginning|on)\s+(?P<start>.+)$")
_AT = re.compile(r"\s+at\s+(?P<at>.+)$")
_CLOCK = re.compile(r"\s+(?P<at>\d{1,2}(?::\d{2})?\s*(?:am|pm)?|noon|midnight)$")
_SPLIT = re.compile(r"\s*(?:,|\band\b|&|/)\s*")


@dataclass(frozen=True)
class Recurrence:
    """Every ``interval`` ``unit``s, or on the given weekdays (0 = Monday) each week."""

    interval: int = 1
    unit: str = "week"  # "day" | "week" | "month" | "year"
    weekdays: tuple[int, ...] = ()

    @property
    def canonical(self) -> str:
        """What ``tasks.recurrence`` keeps; ``parse_rule`` reads it back."""
        if self.weekdays == (0, 1, 2, 3, 4):
            return "every weekday"
        if self.weekdays:
            return "every " + ",".join(DAY_KEYS[d] for d in self.weekdays)
        return f"every {self.unit}" if self.interval == 1 else f"every {self.interval} {self.unit}s"

    def describe(self) -> str:
        """For people: ``every 2 weeks``, ``every Monday and Thursday``."""
        if self.weekdays and self.weekdays != (0, 1, 2, 3, 4):
            names = [DAY_NAMES[d] for d in self.weekdays]
            return "every " + (
                ", ".join(names[:-1]) + " and " + names[-1] if names[1:] else names[0]
            )
        return self.canonical

    def next_after(self, due: datetime, *, now: datetime, tz: ZoneInfo) -> datetime:
        """The first occurrence after ``due`` that is still ahead of ``now`` (aware UTC)."""
        local = due.astimezone(tz)
        day, clock = local.date(), local.time().replace(tzinfo=None)
        for _ in range(MAX_STEPS):
            day = self._step(day)
            found = local_time(day, clock, tz)
            if found > now:
                return found.astimezone(UTC)
        raise ValueError(f"{self.canonical}: no occurrence within {MAX_STEPS} steps")

    def _step(self, day: date) -> date:
        if self.weekdays:
            day += timedelta(days=1)
            while day.weekday() not in self.weekdays:
                day += timedelta(days=1)
            return day
        if self.unit == "day":
            return day + timedelta(days=self.interval)
        if self.unit == "week":
            return day + timedelta(weeks=self.interval)
        return add_months(day, self.interval * (12 if self.unit == "year" else 1))


@dataclass(frozen=True)
class RepeatPhrase:
    """What a user typed for a repeating task: the rule, and when it starts if they said."""

    rule: Recurrence
    start: str | None = None  # "monday 10am", to read with parse_when
    at: str | None = None  # a time of day only: "10am"


def parse_rule(text: str) -> Recurrence | None:
    """The rule alone (``every 2 weeks``, ``monthly``, ``every mon,thu``); None if not one."""
    clean = " ".join(text.lower().split()).rstrip(".")
    if clean in WORDS:
        n, unit = WORDS[clean]
        return Recurrence(n, unit)
    every = _EVERY.match(clean)
    if every is None:
        return None
    body = every["body"]
    if body in ("weekday", "weekdays", "working day", "working days", "workday"):
        return Recurrence(weekdays=(0, 1, 2, 3, 4))
    days = [WEEKDAYS.get(word.rstrip("s")) for word in _SPLIT.split(body) if word]
    if days and all(d is not None for d in days):
        return Recurrence(weekdays=tuple(sorted({d for d in days if d is not None})))
    return _interval(body)


def _interval(body: str) -> Recurrence | None:
    found = _INTERVAL.match(body)
    if found is None or found["unit"] not in UNITS:
        return None
    n_text = found["n"] or "1"
    n = int(n_text) if n_text.isdigit() else NUMBERS.get(n_text)
    if n is None or not 1 <= n <= MAX_INTERVAL:
        return None
    return Recurrence(n, UNITS[found["unit"]])


def parse_phrase(text: str) -> RepeatPhrase | None:
    """``every 2 weeks from monday``, ``every monday at 10am``, ``monthly``; None when
    the text is no repeating phrase (then it is an ordinary WHEN)."""
    clean = " ".join(text.lower().split())
    start = _START.search(clean)
    if start is not None:
        rule = parse_rule(clean[: start.start()])
        return RepeatPhrase(rule, start=start["start"]) if rule else None
    at = _AT.search(clean)
    if at is not None:
        rule = parse_rule(clean[: at.start()])
        return RepeatPhrase(rule, at=at["at"]) if rule else None
    rule = parse_rule(clean)
    if rule is not None:
        return RepeatPhrase(rule)
    clock = _CLOCK.search(clean)  # "every monday 10am"
    rule = parse_rule(clean[: clock.start()]) if clock else None
    return RepeatPhrase(rule, at=clock["at"]) if rule and clock else None


def first_day_names(rule: Recurrence) -> list[str]:
    """The weekday names a weekday rule starts on, for reading with ``parse_when``."""
    return [DAY_NAMES[d].lower() for d in rule.weekdays]


def first_due(phrase: RepeatPhrase, *, now: datetime, tz: ZoneInfo, default: datetime) -> datetime:
    """When the first occurrence is due: the start the user named, else the next of the
    rule's weekdays (09:00, or the time given), else ``default``. BadDate if unreadable."""

    def read(text: str) -> datetime:
        return parse_when(text, now=now, tz=tz, purpose="task")

    if phrase.start:
        return read(phrase.start)
    if phrase.rule.weekdays:
        return min(read(f"{day} {phrase.at or '9am'}") for day in first_day_names(phrase.rule))
    return read(phrase.at) if phrase.at else default
