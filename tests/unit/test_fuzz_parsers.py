"""Arbitrary text into the parsers: an answer or a clear refusal, never anything else.

``parse`` (the `/crm` grammar) never raises and every refusal says what to type; ``parse_when``
returns an aware time or raises ``BadDate`` with a readable message; a CSV row of any
cells becomes an entity or a list of readable problems, and a CSV file of any text is
read or refused with the line named.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.chat.grammar import Invalid, parse
from domain.dates import parse_when
from domain.errors import BadDate, ImportRejected
from domain.imports import KINDS, parse_row, read_csv, spec_for

NOW = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)
ZONES = ["UTC", "America/Los_Angeles", "Asia/Kathmandu", "Pacific/Chatham", "Europe/London"]
NASTY = ["<!channel>", "<@U1>", "'; DROP TABLE x; --", "<b>x</b>", "\x00", "\u202e", "🧨",
         "2026-02-30", "31/31/2026", "next tuesday", "in 99999999 years", "eod", "|"]  # fmt: skip
words = st.one_of(st.text(max_size=60), st.sampled_from(NASTY))
texts = st.one_of(
    st.text(max_size=400),
    st.lists(words, max_size=8).map(" ".join),
    st.text(min_size=4000, max_size=10_000),
)
MANY = settings(max_examples=300, deadline=None)


@MANY
@given(text=texts, verb=st.sampled_from(["", "log call ", "task ", "health ", "find ", "link "]))
def test_the_grammar_always_answers_and_refusals_say_what_to_type(text: str, verb: str) -> None:
    parsed = parse(verb + text)
    if isinstance(parsed, Invalid):
        assert 0 < len(parsed.message) <= 3000
        assert "`" in parsed.message or "/crm" in parsed.message, parsed.message


@MANY
@given(
    text=texts,
    tz=st.sampled_from(ZONES),
    purpose=st.sampled_from([None, "task", "activity"]),
    order=st.sampled_from(["MDY", "DMY", "YMD"]),
)
def test_parse_when_gives_an_aware_time_or_a_bad_date(
    text: str, tz: str, purpose: str | None, order: str
) -> None:
    try:
        when = parse_when(text, now=NOW, tz=tz, purpose=purpose, locale_order=order)  # type: ignore[arg-type]
    except BadDate as refused:
        assert 0 < len(str(refused)) <= 400
        return
    assert when.tzinfo is not None and when.utcoffset() == timedelta(0)
    assert abs(when - NOW) < timedelta(days=366 * 51)
    if purpose == "task":
        assert when >= NOW
    if purpose == "activity":
        assert when <= NOW + timedelta(minutes=5)


@MANY
@given(kind=st.sampled_from(KINDS), cells=st.lists(words, min_size=0, max_size=12))
def test_any_csv_row_is_an_entity_or_readable_problems(kind: str, cells: list[str]) -> None:
    spec = spec_for(kind)
    row = dict(zip(spec.columns, cells, strict=False))
    entity, problems = parse_row(spec, row)
    assert (entity is None) == bool(problems)
    assert all(0 < len(p) <= 300 for p in problems), problems


@MANY
@given(kind=st.sampled_from(KINDS), body=st.text(max_size=2000))
def test_any_csv_text_is_read_or_refused_at_a_line(kind: str, body: str) -> None:
    header = ",".join(spec_for(kind).required)
    try:
        rows = list(read_csv(kind, (header + "\n" + body).splitlines(keepends=True)))
    except ImportRejected as refused:
        assert refused.problems and all(line >= 1 for line, _ in refused.problems)
        return
    assert all(line >= 2 for line, _ in rows)
