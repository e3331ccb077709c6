"""Repeating tasks: reading the rule, counting the next occurrence in the user's zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from domain.errors import BadDate
from domain.recurrence import Recurrence, parse_phrase, parse_rule
from domain.services.recurring import read_when

LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)  # Wed 09:00 in Los Angeles


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("every 2 weeks", Recurrence(2, "week")),
        ("Every  2 Weeks", Recurrence(2, "week")),
        ("every week", Recurrence(1, "week")),
        ("weekly", Recurrence(1, "week")),
        ("biweekly", Recurrence(2, "week")),
        ("every other week", Recurrence(2, "week")),
        ("fortnightly", Recurrence(2, "week")),
        ("daily", Recurrence(1, "day")),
        ("every day", Recurrence(1, "day")),
        ("every 3 days", Recurrence(3, "day")),
        ("monthly", Recurrence(1, "month")),
        ("every month", Recurrence(1, "month")),
        ("every three months", Recurrence(3, "month")),
        ("quarterly", Recurrence(3, "month")),
        ("yearly", Recurrence(1, "year")),
        ("every monday", Recurrence(weekdays=(0,))),
        ("every mondays", Recurrence(weekdays=(0,))),
        ("every mon and thu", Recurrence(weekdays=(0, 3))),
        ("every friday, tuesday", Recurrence(weekdays=(1, 4))),
        ("every weekday", Recurrence(weekdays=(0, 1, 2, 3, 4))),
    ],
)
def test_rules_read_and_round_trip(text: str, rule: Recurrence) -> None:
    assert parse_rule(text) == rule
    assert parse_rule(rule.canonical) == rule  # what tasks.recurrence keeps reads back


@pytest.mark.parametrize(
    "text",
    ["friday 3pm", "every", "every 0 days", "every 999 weeks", "every blah", "every mon and x"],
)
def test_what_is_no_rule(text: str) -> None:
    assert parse_rule(text) is None
    assert parse_phrase(text) is None


def test_descriptions() -> None:
    assert Recurrence(weekdays=(0, 3)).describe() == "every Monday and Thursday"
    assert Recurrence(weekdays=(0, 2, 4)).describe() == "every Monday, Wednesday and Friday"
    assert Recurrence(2, "week").describe() == "every 2 weeks"
    assert Recurrence(weekdays=(0, 1, 2, 3, 4)).describe() == "every weekday"


def test_phrases_with_a_start_or_a_time() -> None:
    found = parse_phrase("every 2 weeks from monday")
    assert found and (found.rule, found.start) == (Recurrence(2, "week"), "monday")
    found = parse_phrase("every monday at 10am")
    assert found and (found.rule, found.at) == (Recurrence(weekdays=(0,)), "10am")
    found = parse_phrase("monthly starting dec 1")
    assert found and (found.rule, found.start) == (Recurrence(1, "month"), "dec 1")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=LA).astimezone(UTC)


def test_next_keeps_the_wall_time_across_a_dst_change() -> None:
    due = local(2026, 10, 26, 9)  # Monday 09:00 PDT (UTC-7)
    after = Recurrence(1, "week").next_after(due, now=due, tz=LA)
    assert after == local(2026, 11, 2, 9)  # Monday 09:00 PST (UTC-8)
    assert after.hour == 17


def test_next_skips_what_has_passed_and_clamps_month_ends() -> None:
    due = local(2026, 10, 14, 9)  # six weeks before NOW
    assert Recurrence(2, "week").next_after(due, now=NOW, tz=LA) == local(2026, 12, 9, 9)
    jan31 = local(2027, 1, 31, 9)
    assert Recurrence(1, "month").next_after(jan31, now=NOW, tz=LA) == local(2027, 2, 28, 9)
    monday = local(2026, 11, 30, 9)
    rule = Recurrence(weekdays=(0, 3))
    assert rule.next_after(monday, now=NOW, tz=LA) == local(2026, 12, 3, 9)
    early_done = local(2026, 12, 3, 9)  # done before it was due: the next one after it
    assert rule.next_after(early_done, now=NOW, tz=LA) == local(2026, 12, 7, 9)


def test_first_due_from_the_phrase() -> None:
    default = local(2026, 11, 26, 9)

    def first(text: str) -> datetime:
        found = read_when(text, now=NOW, tz=LA, default=default)
        assert found is not None
        return found[0]

    assert first("every monday") == local(2026, 11, 30, 9)
    assert first("every monday at 10am") == local(2026, 11, 30, 10)
    assert first("every monday 10:30am") == local(2026, 11, 30, 10, 30)
    assert first("every 2 weeks 4pm") == local(2026, 11, 25, 16)
    assert first("every 2 weeks from friday 3pm") == local(2026, 11, 27, 15)
    assert first("every 2 weeks") == default
    assert first("every weekday") == NOW  # today's 09:00 is this very minute: not yet past
    assert first("every tue and thu") == local(2026, 11, 26, 9)
    assert read_when("friday 3pm", now=NOW, tz=LA, default=default) is None
    with pytest.raises(BadDate):
        read_when("every 2 weeks from blargh", now=NOW, tz=LA, default=default)
