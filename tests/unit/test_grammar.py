"""The /crm grammar: every form of CONTRACT §4.1, and helpful errors for the rest."""

from __future__ import annotations

import pytest

from domain.chat.grammar import (
    ClientQuery,
    CreateTask,
    Find,
    Help,
    Invalid,
    LogActivity,
    OpenModal,
    Simple,
    parse,
)
from domain.model import ActivityType


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", Help()),
        ("   ", Help()),
        ("help", Help()),
        ("HELP log", Help("log")),
        (
            "log call Acme: talked pricing",
            LogActivity(ActivityType.CALL, "Acme", "talked pricing"),
        ),
        (
            "log Meeting Acme Corp: demo went well | yesterday 3pm",
            LogActivity(ActivityType.MEETING, "Acme Corp", "demo went well", "yesterday 3pm"),
        ),
        ("log note: linked channel", LogActivity(ActivityType.NOTE, None, "linked channel")),
        (
            "log email C00042: a | b | friday",
            LogActivity(ActivityType.EMAIL, "C00042", "a | b", "friday"),
        ),
        ("log", OpenModal("log")),
        ("task Acme: send pricing", CreateTask("Acme", "send pricing")),
        (
            "task <@U123ABC|dana> Acme: call back | tomorrow 3pm",
            CreateTask("Acme", "call back", "U123ABC", "tomorrow 3pm"),
        ),
        ("task <@W42> : follow up", CreateTask(None, "follow up", "W42")),
        ("task", OpenModal("task")),
        ("tasks", Simple("tasks")),
        ("quotes", Simple("quotes")),
        ("unlink", Simple("unlink")),
        ("digest", Simple("digest")),
        ("settings", OpenModal("settings")),
        ("health Acme Corp", ClientQuery("health", "Acme Corp")),
        ("link C00001", ClientQuery("link", "C00001")),
        ("find pricing sheet", Find("pricing sheet")),
    ],
)
def test_accepted_forms(text: str, expected: object) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("log phone Acme: hi", "isn't an activity type"),
        ("log call Acme talked", "colon"),
        ("log call Acme:   ", "What happened?"),
        ("task @dana Acme: x", "@-autocomplete"),
        ("task Acme: | friday", "What's the task?"),
        ("health", "Which client?"),
        ("find", "Find what?"),
        ("frobnicate", "/crm help"),
        ("x" * 5000, "at most"),
    ],
)
def test_rejected_forms_say_what_to_type(text: str, hint: str) -> None:
    result = parse(text)
    assert isinstance(result, Invalid)
    assert hint in result.message


def test_echoed_words_cannot_ping_or_break_code() -> None:
    result = parse("<!channel>`x")
    assert isinstance(result, Invalid)
    assert "<!channel>" not in result.message
    assert "&lt;!channel&gt;'x" in result.message
