"""parse_when, format_when, next_working_day_9am (CONTRACT §4.1 WHEN rules)."""

from __future__ import annotations

import random
import time as clock
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import dateparser
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.dates import format_when, next_working_day_9am, parse_when
from domain.errors import BadDate

ZONES = ["America/Los_Angeles", "Pacific/Honolulu", "Pacific/Apia", "Europe/London"]
NOW = datetime(2026, 11, 25, 10, 0)  # a Wednesday, 10:00 local in each zone
LA = ZoneInfo("America/Los_Angeles")
NY = ZoneInfo("America/New_York")


def wall(*fields: int) -> datetime:
    """A naive wall time from (year, month, day[, hour[, minute]])."""
    year, month, day, hour, minute = (*fields, 0, 0)[:5]
    return datetime(year, month, day, hour, minute)


def local(zone: str | ZoneInfo, *fields: int) -> datetime:
    return wall(*fields).replace(tzinfo=zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone))


def utc(*fields: int) -> datetime:
    return wall(*fields).replace(tzinfo=UTC)


def read(text: str, now: datetime, **kwargs: object) -> datetime:
    """parse_when in `now`'s zone; checks the result is aware UTC."""
    assert isinstance(now.tzinfo, ZoneInfo)
    result = parse_when(text, now=now, tz=now.tzinfo, **kwargs)  # type: ignore[arg-type]
    assert result.tzinfo is UTC
    return result


# phrase → local wall time expected, with now = Wed 2026-11-25 10:00 local
TABLE = [
    ("now", (2026, 11, 25, 10, 0)),
    ("today", (2026, 11, 25, 9, 0)),
    ("today 5pm", (2026, 11, 25, 17, 0)),
    ("tomorrow", (2026, 11, 26, 9, 0)),
    ("tomorrow 3pm", (2026, 11, 26, 15, 0)),
    ("Tomorrow  at 3 P.M.", (2026, 11, 26, 15, 0)),
    ("3pm tomorrow", (2026, 11, 26, 15, 0)),
    ("tomorrow noon", (2026, 11, 26, 12, 0)),
    ("yesterday", (2026, 11, 24, 9, 0)),
    ("yesterday 4pm", (2026, 11, 24, 16, 0)),
    ("eod", (2026, 11, 25, 17, 0)),
    ("by end of day", (2026, 11, 25, 17, 0)),
    ("tonight", (2026, 11, 25, 20, 0)),
    ("end of week", (2026, 11, 27, 17, 0)),
    ("eow", (2026, 11, 27, 17, 0)),
    ("end of month", (2026, 11, 30, 17, 0)),
    ("next monday", (2026, 11, 30, 9, 0)),
    ("next tuesday", (2026, 12, 1, 9, 0)),
    ("next wednesday", (2026, 12, 2, 9, 0)),
    ("next thursday", (2026, 11, 26, 9, 0)),
    ("next friday", (2026, 11, 27, 9, 0)),
    ("next saturday", (2026, 11, 28, 9, 0)),
    ("next sunday", (2026, 11, 29, 9, 0)),
    ("next fri 4:15pm", (2026, 11, 27, 16, 15)),
    ("friday", (2026, 11, 27, 9, 0)),
    ("friday 9am", (2026, 11, 27, 9, 0)),
    ("on thurs at 14:30", (2026, 11, 26, 14, 30)),
    ("wednesday 11am", (2026, 11, 25, 11, 0)),  # today: 11:00 is still ahead
    ("wednesday 9am", (2026, 12, 2, 9, 0)),  # 09:00 has passed: next week
    ("wednesday", (2026, 12, 2, 9, 0)),
    ("monday morning", (2026, 11, 30, 9, 0)),
    ("friday afternoon", (2026, 11, 27, 14, 0)),
    ("thursday evening", (2026, 11, 26, 18, 0)),
    ("tomorrow night", (2026, 11, 26, 20, 0)),
    ("this afternoon", (2026, 11, 25, 14, 0)),
    ("last friday", (2026, 11, 20, 9, 0)),
    ("last wednesday", (2026, 11, 18, 9, 0)),
    ("last monday 3pm", (2026, 11, 23, 15, 0)),
    ("noon", (2026, 11, 25, 12, 0)),
    ("3pm", (2026, 11, 25, 15, 0)),
    ("9am", (2026, 11, 26, 9, 0)),  # passed today: tomorrow
    ("at 14:30", (2026, 11, 25, 14, 30)),
    ("12pm", (2026, 11, 25, 12, 0)),
    ("12am", (2026, 11, 26, 0, 0)),
    ("in 2 hours", (2026, 11, 25, 12, 0)),
    ("in 30 minutes", (2026, 11, 25, 10, 30)),
    ("2 hours ago", (2026, 11, 25, 8, 0)),
    ("in 3 days", (2026, 11, 28, 10, 0)),
    ("3 days ago", (2026, 11, 22, 10, 0)),
    ("in 2 weeks", (2026, 12, 9, 10, 0)),
    ("in a week", (2026, 12, 2, 10, 0)),
    ("in 1 month", (2026, 12, 25, 10, 0)),
    ("next week", (2026, 11, 30, 9, 0)),
    ("next month", (2026, 12, 1, 9, 0)),
    ("dec 1", (2026, 12, 1, 9, 0)),
    ("December 1st at 3pm", (2026, 12, 1, 15, 0)),
    ("nov 25 11am", (2026, 11, 25, 11, 0)),  # still ahead today: this year
    ("nov 25", (2027, 11, 25, 9, 0)),  # 09:00 today has passed: next year
    ("nov 24", (2027, 11, 24, 9, 0)),
    ("may", (2027, 5, 1, 9, 0)),
    ("1 dec 2026 14:30", (2026, 12, 1, 14, 30)),
    ("2026-12-01 09:30", (2026, 12, 1, 9, 30)),
    ("2026-12-01T09:30", (2026, 12, 1, 9, 30)),
    ("2026-12-01", (2026, 12, 1, 9, 0)),
    ("12/01", (2026, 12, 1, 9, 0)),
    ("12/01 14:30", (2026, 12, 1, 14, 30)),
    ("02/29", (2028, 2, 29, 9, 0)),
]


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize(("text", "expected"), TABLE, ids=[t for t, _ in TABLE])
def test_phrase_table(text: str, expected: tuple[int, ...], zone: str) -> None:
    now = NOW.replace(tzinfo=ZoneInfo(zone))
    result = read(text, now)
    assert result == local(zone, *expected)
    assert result.astimezone(ZoneInfo(zone)).replace(tzinfo=None) == wall(*expected)


@pytest.mark.parametrize(
    ("text", "zone", "expected"),
    [
        ("tomorrow 9am", "America/Los_Angeles", utc(2026, 11, 26, 17, 0)),
        ("tomorrow 9am", "Pacific/Honolulu", utc(2026, 11, 26, 19, 0)),
        ("tomorrow 9am", "Pacific/Apia", utc(2026, 11, 25, 20, 0)),
        ("tomorrow 9am", "Europe/London", utc(2026, 11, 26, 9, 0)),
        ("eod", "Pacific/Apia", utc(2026, 11, 25, 4, 0)),
        ("dec 1", "Pacific/Honolulu", utc(2026, 12, 1, 19, 0)),
    ],
)
def test_results_in_utc(text: str, zone: str, expected: datetime) -> None:
    assert read(text, NOW.replace(tzinfo=ZoneInfo(zone))) == expected


def test_now_may_be_given_in_any_zone() -> None:
    now = local(LA, 2026, 11, 25, 10, 0).astimezone(ZoneInfo("Asia/Tokyo"))
    assert parse_when("tomorrow", now=now, tz="America/Los_Angeles") == utc(2026, 11, 26, 17)
    assert parse_when("now", now=now, tz=LA) == utc(2026, 11, 25, 18)


# --- weekdays, rollovers -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "now", "expected"),
    [
        ("next tuesday", (2026, 11, 23, 10, 0), (2026, 11, 24, 9, 0)),  # on a Monday
        ("next tuesday", (2026, 11, 24, 10, 0), (2026, 12, 1, 9, 0)),  # on a Tuesday
        ("next tuesday", (2026, 11, 24, 8, 0), (2026, 12, 1, 9, 0)),  # even before 09:00
        ("next friday", (2026, 11, 26, 10, 0), (2026, 11, 27, 9, 0)),  # Thursday: tomorrow
        ("next friday", (2026, 11, 27, 10, 0), (2026, 12, 4, 9, 0)),  # Friday: a week on
        ("last friday", (2026, 11, 27, 10, 0), (2026, 11, 20, 9, 0)),
        ("friday 9am", (2026, 11, 27, 8, 0), (2026, 11, 27, 9, 0)),  # still ahead today
        ("friday 9am", (2026, 11, 27, 9, 0), (2026, 11, 27, 9, 0)),  # exactly now
        ("friday 9am", (2026, 11, 27, 10, 0), (2026, 12, 4, 9, 0)),
        ("eod", (2026, 11, 25, 16, 59), (2026, 11, 25, 17, 0)),
        ("eod", (2026, 11, 25, 17, 0), (2026, 11, 25, 17, 0)),
        ("eod", (2026, 11, 25, 17, 30), (2026, 11, 26, 17, 0)),
        ("tonight", (2026, 11, 25, 21, 0), (2026, 11, 26, 20, 0)),
        ("end of week", (2026, 11, 27, 16, 0), (2026, 11, 27, 17, 0)),
        ("end of week", (2026, 11, 27, 18, 0), (2026, 12, 4, 17, 0)),
        ("end of week", (2026, 11, 28, 10, 0), (2026, 12, 4, 17, 0)),  # Saturday
        ("end of week", (2026, 11, 29, 10, 0), (2026, 12, 4, 17, 0)),  # Sunday
        ("end of month", (2026, 11, 30, 18, 0), (2026, 12, 31, 17, 0)),
        ("3pm", (2026, 11, 25, 16, 0), (2026, 11, 26, 15, 0)),
        ("next week", (2026, 11, 29, 10, 0), (2026, 11, 30, 9, 0)),  # Sunday
        ("next month", (2026, 12, 15, 10, 0), (2027, 1, 1, 9, 0)),
        ("in 1 month", (2027, 1, 31, 10, 0), (2027, 2, 28, 10, 0)),
        ("dec 1", (2026, 12, 2, 10, 0), (2027, 12, 1, 9, 0)),
    ],
)
def test_relative_to_now(text: str, now: tuple[int, ...], expected: tuple[int, ...]) -> None:
    assert read(text, local(LA, *now)) == local(LA, *expected)


# --- daylight saving -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "now", "expected"),
    [
        # New York falls back on Sun 2026-11-01 02:00 EDT → 01:00 EST
        ("tomorrow 9am", local(NY, 2026, 10, 31, 12, 0), utc(2026, 11, 1, 14, 0)),
        ("in 2 days", local(NY, 2026, 10, 31, 12, 0), utc(2026, 11, 2, 17, 0)),  # 12:00 EST
        ("in 48 hours", local(NY, 2026, 10, 31, 12, 0), utc(2026, 11, 2, 16, 0)),  # exact
        ("tomorrow 1:30am", local(NY, 2026, 10, 31, 12, 0), utc(2026, 11, 1, 5, 30)),  # 1st
        ("2026-11-01 01:30", local(NY, 2026, 10, 31, 12, 0), utc(2026, 11, 1, 5, 30)),
        ("in 2 hours", local(NY, 2026, 11, 1, 0, 30), utc(2026, 11, 1, 6, 30)),  # 01:30 EST
        # Los Angeles falls back the same night; Monday 09:00 PST is 17:00 UTC
        ("tomorrow 9am", local(LA, 2026, 11, 1, 8, 0), utc(2026, 11, 2, 17, 0)),
        ("monday 9am", local(LA, 2026, 10, 31, 10, 0), utc(2026, 11, 2, 17, 0)),
        ("next monday", local(LA, 2026, 10, 31, 10, 0), utc(2026, 11, 2, 17, 0)),
        # New York springs forward on Sun 2027-03-14 02:00 EST → 03:00 EDT: 02:30 is skipped
        ("tomorrow 2:30am", local(NY, 2027, 3, 13, 12, 0), utc(2027, 3, 14, 7, 30)),  # 03:30
        ("2027-03-14 02:30", local(NY, 2027, 3, 13, 12, 0), utc(2027, 3, 14, 7, 30)),
        ("tomorrow 9am", local(NY, 2027, 3, 13, 12, 0), utc(2027, 3, 14, 13, 0)),
        ("in 1 day", local(NY, 2027, 3, 13, 12, 0), utc(2027, 3, 14, 16, 0)),  # 12:00 EDT
        ("in 24 hours", local(NY, 2027, 3, 13, 12, 0), utc(2027, 3, 14, 17, 0)),  # 13:00 EDT
    ],
)
def test_dst(text: str, now: datetime, expected: datetime) -> None:
    assert read(text, now) == expected


def test_skipped_time_reads_as_the_hour_after() -> None:
    result = read("2027-03-14 02:30", local(NY, 2027, 3, 13, 12, 0)).astimezone(NY)
    assert (result.hour, result.minute, result.tzname()) == (3, 30, "EDT")


# --- numeric dates follow the locale; ISO is always ISO ------------------------------


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("12/01", "MDY", (2026, 12, 1, 9, 0)),
        ("12/01", "DMY", (2027, 1, 12, 9, 0)),
        ("01/12", "DMY", (2026, 12, 1, 9, 0)),
        ("12/01/2027", "MDY", (2027, 12, 1, 9, 0)),
        ("12/01/2027", "DMY", (2027, 1, 12, 9, 0)),
        ("2026-12-01", "DMY", (2026, 12, 1, 9, 0)),
        ("2026-12-01 09:30", "DMY", (2026, 12, 1, 9, 30)),
        ("31/12", "MDY", (2026, 12, 31, 9, 0)),  # 31 cannot be a month
    ],
)
def test_locale_order(text: str, order: str, expected: tuple[int, ...]) -> None:
    assert read(text, local(LA, 2026, 11, 25, 10, 0), locale_order=order) == local(LA, *expected)


def test_unknown_locale_order_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="locale_order"):
        parse_when("12/01", now=local(LA, 2026, 11, 25), tz=LA, locale_order="XYZ")


# --- purposes ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "now", "expected"),
    [
        ("now", (2026, 11, 25, 10, 0), (2026, 11, 25, 10, 0)),
        ("9am", (2026, 11, 25, 10, 0), (2026, 11, 25, 9, 0)),
        ("3pm", (2026, 11, 25, 16, 0), (2026, 11, 25, 15, 0)),  # a bare time is today
        ("eod", (2026, 11, 25, 18, 0), (2026, 11, 25, 17, 0)),  # no rollover
        ("tonight", (2026, 11, 25, 21, 0), (2026, 11, 25, 20, 0)),
        ("monday", (2026, 11, 25, 10, 0), (2026, 11, 23, 9, 0)),  # the latest Monday
        ("friday", (2026, 11, 25, 10, 0), (2026, 11, 20, 9, 0)),
        ("wednesday", (2026, 11, 25, 10, 0), (2026, 11, 25, 9, 0)),  # today
        ("end of week", (2026, 11, 28, 10, 0), (2026, 11, 27, 17, 0)),  # Saturday
        ("dec 1", (2026, 11, 25, 10, 0), (2025, 12, 1, 9, 0)),  # the last one gone by
        ("12/01", (2026, 11, 25, 10, 0), (2025, 12, 1, 9, 0)),
        ("nov 25", (2026, 11, 25, 10, 0), (2026, 11, 25, 9, 0)),
        ("yesterday 4pm", (2026, 11, 25, 10, 0), (2026, 11, 24, 16, 0)),
        ("2 hours ago", (2026, 11, 25, 10, 0), (2026, 11, 25, 8, 0)),
        ("last friday", (2026, 11, 25, 10, 0), (2026, 11, 20, 9, 0)),
        ("in 5 minutes", (2026, 11, 25, 10, 0), (2026, 11, 25, 10, 5)),  # within the grace
    ],
)
def test_activity_looks_back(text: str, now: tuple[int, ...], expected: tuple[int, ...]) -> None:
    assert read(text, local(LA, *now), purpose="activity") == local(LA, *expected)


@pytest.mark.parametrize(
    "text", ["in 6 minutes", "tomorrow", "3pm", "next friday", "eod", "today 10:06"]
)
def test_activity_in_the_future_is_refused(text: str) -> None:
    with pytest.raises(BadDate, match="That's in the future"):
        read(text, local(LA, 2026, 11, 25, 10, 0), purpose="activity")


@pytest.mark.parametrize(
    "text", ["yesterday", "today", "2 hours ago", "last friday", "today 9:59am", "2026-11-25"]
)
def test_task_in_the_past_is_refused(text: str) -> None:
    with pytest.raises(BadDate, match="That's in the past"):
        read(text, local(LA, 2026, 11, 25, 10, 0), purpose="task")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("now", (2026, 11, 25, 10, 0)),
        ("today 10am", (2026, 11, 25, 10, 0)),
        ("9am", (2026, 11, 26, 9, 0)),
    ],
)
def test_task_now_or_later_is_accepted(text: str, expected: tuple[int, ...]) -> None:
    now = local(LA, 2026, 11, 25, 10, 0)
    assert read(text, now, purpose="task") == local(LA, *expected)


def test_refusal_messages() -> None:
    now = local(LA, 2026, 11, 25, 10, 0)
    with pytest.raises(BadDate) as past:
        read("yesterday", now, purpose="task")
    assert past.value.text == "yesterday"
    assert str(past.value) == (
        "I couldn't read “yesterday” as a date. "
        "That's in the past (Tue 24 Nov, 09:00 PST); a due date has to be ahead."
    )
    with pytest.raises(BadDate) as future:
        read("tomorrow", now, purpose="activity")
    assert str(future.value) == (
        "I couldn't read “tomorrow” as a date. "
        "That's in the future (Thu 26 Nov, 09:00 PST); log an activity once it has happened."
    )


# --- garbage -------------------------------------------------------------------------

JUNK = "".join(random.Random(7).choice("abcxyz0123456789 /:-.,!?@#") for _ in range(10_000))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "hello",
        "asdf qwer",
        "???",
        "明天",
        "5",
        "a",
        "at 3",  # dateparser: 1 March
        "32/13",  # dateparser: 13 Nov 2032
        "2/30",  # dateparser: 2 Nov 2030
        "10.30",  # dateparser: 10:30 today
        "25:00",
        "13pm",
        "tomorrow 25:00",
        "9999-12-31",
        "0001-01-01",
        "in 9999 years",
        "in 99999999999999999999 days",
        "tomorrow\x00",
        "\x1b[31mtomorrow",
        "x" * 101,
        "tomorrow " * 1200,
        JUNK,
    ],
)
def test_garbage_is_a_bad_date(text: str) -> None:
    started = clock.perf_counter()
    with pytest.raises(BadDate):
        read(text, local(LA, 2026, 11, 25, 10, 0))
    assert clock.perf_counter() - started < 0.5


def test_bad_date_quotes_the_text_short_and_printable() -> None:
    with pytest.raises(BadDate) as long:
        read("x" * 10_000, local(LA, 2026, 11, 25))
    assert long.value.text == "x" * 39 + "…"
    with pytest.raises(BadDate) as control:
        read("soon\x00\x07", local(LA, 2026, 11, 25))
    assert control.value.text == "soon\ufffd\ufffd"


def test_zero_width_characters_are_ignored() -> None:
    assert read("\u200btomorrow\u200e", local(LA, 2026, 11, 25, 10)) == utc(2026, 11, 26, 17)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=120))
def test_any_text_is_a_date_in_utc_or_a_bad_date(text: str) -> None:
    for purpose in (None, "activity"):
        try:
            result = parse_when(text, now=utc(2026, 11, 25, 18), tz=LA, purpose=purpose)
        except BadDate:
            continue
        assert result.tzinfo is UTC


# --- dateparser really misses what our phrase table handles --------------------------
# If one of these starts failing, dateparser changed: check whether our rule is still needed.


def raw_dateparser(text: str, now: datetime) -> datetime | None:
    assert isinstance(now.tzinfo, ZoneInfo)
    found: datetime | None = dateparser.parse(
        text,
        languages=["en"],
        settings={
            "RELATIVE_BASE": now.replace(tzinfo=None),
            "TIMEZONE": now.tzinfo.key,
            "RETURN_AS_TIMEZONE_AWARE": True,
            "PREFER_DATES_FROM": "future",
            "DATE_ORDER": "MDY",
            "PREFER_DAY_OF_MONTH": "first",
        },
    )
    return None if found is None else found.replace(tzinfo=None)  # its wall time


WED = (2026, 11, 25, 10, 0)
MISSES = [
    # text, now (LA), what dateparser says (wall time), what we say (wall time)
    ("eod", WED, None, (2026, 11, 25, 17, 0)),
    ("end of week", WED, None, (2026, 11, 27, 17, 0)),
    ("tomorrow", WED, (2026, 11, 26, 10, 0), (2026, 11, 26, 9, 0)),
    ("next friday", WED, (2026, 11, 27, 0, 0), (2026, 11, 27, 9, 0)),
    ("next tuesday", (2026, 11, 23, 10, 0), (2026, 11, 24, 0, 0), (2026, 11, 24, 9, 0)),
    ("next week", WED, (2026, 12, 2, 10, 0), (2026, 11, 30, 9, 0)),
    ("next month", WED, (2026, 12, 1, 10, 0), (2026, 12, 1, 9, 0)),
    ("wednesday 11am", WED, (2026, 12, 2, 11, 0), (2026, 11, 25, 11, 0)),
    ("friday 9am", (2026, 11, 27, 8, 0), (2026, 12, 4, 9, 0), (2026, 11, 27, 9, 0)),
    ("3pm", (2026, 11, 25, 16, 0), (2026, 11, 25, 15, 0), (2026, 11, 26, 15, 0)),
    ("tonight", (2026, 11, 25, 21, 0), (2026, 11, 25, 20, 0), (2026, 11, 26, 20, 0)),
    ("nov 25", (2026, 11, 25, 8, 0), (2027, 11, 25, 0, 0), (2026, 11, 25, 9, 0)),
    ("dec 1", WED, (2026, 12, 1, 0, 0), (2026, 12, 1, 9, 0)),
]


@pytest.mark.parametrize(("text", "now", "theirs", "ours"), MISSES, ids=[m[0] for m in MISSES])
def test_dateparser_misses(
    text: str, now: tuple[int, ...], theirs: tuple[int, ...] | None, ours: tuple[int, ...]
) -> None:
    now_at = local(LA, *now)
    assert raw_dateparser(text, now_at) == (None if theirs is None else wall(*theirs))
    assert read(text, now_at) == local(LA, *ours)


def test_dateparser_misses_hours_across_fall_back() -> None:
    now = local(NY, 2026, 11, 1, 0, 30)
    assert raw_dateparser("in 2 hours", now) == datetime(2026, 11, 1, 2, 30)  # an hour late
    assert read("in 2 hours", now).astimezone(NY).replace(tzinfo=None) == datetime(
        2026, 11, 1, 1, 30
    )


@pytest.mark.parametrize(("text", "theirs"), [("at 3", (2027, 3, 1)), ("2/30", (2030, 11, 2))])
def test_dateparser_reads_junk_that_we_refuse(text: str, theirs: tuple[int, ...]) -> None:
    now = local(LA, *WED)
    assert raw_dateparser(text, now) == wall(*theirs)
    with pytest.raises(BadDate):
        read(text, now)


# --- format_when ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dt", "zone", "now", "expected"),
    [
        (utc(2026, 12, 4, 17), "America/Los_Angeles", utc(2026, 11, 25), "Fri 4 Dec, 09:00 PST"),
        (utc(2026, 12, 4, 17), "America/Los_Angeles", None, "Fri 4 Dec 2026, 09:00 PST"),
        (
            utc(2026, 12, 4, 17),
            "America/Los_Angeles",
            utc(2025, 12, 1),
            "Fri 4 Dec 2026, 09:00 PST",
        ),
        (utc(2026, 7, 1, 16), "America/Los_Angeles", utc(2026, 1, 1, 12), "Wed 1 Jul, 09:00 PDT"),
        (utc(2026, 12, 3, 20), "Pacific/Apia", utc(2026, 11, 25), "Fri 4 Dec, 09:00 UTC+13"),
        (utc(2026, 12, 4, 19), "Pacific/Honolulu", utc(2026, 11, 25), "Fri 4 Dec, 09:00 HST"),
        (utc(2026, 12, 4, 9), "Europe/London", utc(2026, 11, 25), "Fri 4 Dec, 09:00 GMT"),
        (utc(2026, 7, 1, 8), "Europe/London", utc(2026, 11, 25), "Wed 1 Jul, 09:00 BST"),
        (utc(2026, 12, 4, 3, 15), "Asia/Kathmandu", utc(2026, 11, 25), "Fri 4 Dec, 09:00 UTC+5:45"),
        (utc(2026, 12, 4, 12), "America/Sao_Paulo", utc(2026, 11, 25), "Fri 4 Dec, 09:00 UTC-3"),
        (utc(2026, 12, 4, 9), "UTC", utc(2026, 11, 25), "Fri 4 Dec, 09:00 UTC"),
        # the year is compared in the user's zone: it is already 2027 in Apia
        (
            utc(2026, 12, 31, 12),
            "Pacific/Apia",
            utc(2026, 12, 31, 10),
            "Fri 1 Jan 2027, 01:00 UTC+13",
        ),
        (
            datetime(2026, 12, 4, 17),
            "America/Los_Angeles",
            utc(2026, 1, 1, 12),
            "Fri 4 Dec, 09:00 PST",
        ),
    ],
)
def test_format_when(dt: datetime, zone: str, now: datetime | None, expected: str) -> None:
    assert format_when(dt, zone, now=now) == expected


def test_format_when_accepts_a_zoneinfo() -> None:
    assert format_when(utc(2026, 12, 4, 17), LA, now=utc(2026, 1, 1, 12)) == "Fri 4 Dec, 09:00 PST"


def test_format_when_round_trips_parse_when() -> None:
    now = local(LA, 2026, 11, 25, 10, 0)
    assert format_when(read("next friday 3pm", now), LA, now=now) == "Fri 27 Nov, 15:00 PST"


# --- next_working_day_9am ------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "zone", "expected"),
    [
        (local(LA, 2026, 11, 25, 10, 0), "America/Los_Angeles", utc(2026, 11, 26, 17)),  # Wed
        (local(LA, 2026, 11, 26, 8, 0), "America/Los_Angeles", utc(2026, 11, 27, 17)),  # Thu
        (local(LA, 2026, 11, 27, 10, 0), "America/Los_Angeles", utc(2026, 11, 30, 17)),  # Fri
        (local(LA, 2026, 11, 28, 10, 0), "America/Los_Angeles", utc(2026, 11, 30, 17)),  # Sat
        (local(LA, 2026, 11, 29, 23, 0), "America/Los_Angeles", utc(2026, 11, 30, 17)),  # Sun
        (local(NY, 2026, 10, 30, 10, 0), "America/New_York", utc(2026, 11, 2, 14)),  # over DST
        # Fri 20:00 UTC is already Saturday morning in Apia
        (utc(2026, 11, 27, 20), "Pacific/Apia", utc(2026, 11, 29, 20)),
    ],
)
def test_next_working_day_9am(now: datetime, zone: str, expected: datetime) -> None:
    result = next_working_day_9am(now=now, tz=zone)
    assert result == expected
    assert result.tzinfo is UTC
