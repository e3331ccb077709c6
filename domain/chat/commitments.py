"""Spotting a promise with a date in notes ("send pricing by Friday")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from domain.dates import parse_when
from domain.errors import BadDate
from domain.text import cut

DAY = r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|sday|rsday|urday)?"
MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*"
WHEN = (
    rf"(?:(?:next|this)\s+{DAY}|{DAY}|tomorrow|tonight|eod|end of (?:the )?(?:day|week|month)"
    rf"|next week|next month|{MONTH}\.? \d{{1,2}}|\d{{1,2}} {MONTH}|\d{{1,2}}/\d{{1,2}})"
)
PROMISE = re.compile(rf"\b(?:by|before|until|on|due)\s+(?P<when>{WHEN})\b", re.IGNORECASE)
SENTENCE = re.compile(r"[^.;!?\n]+")
TITLE_LIMIT = 150


@dataclass(frozen=True)
class Suggestion:
    title: str
    due_at: datetime


def spot_commitment(notes: str, *, now: datetime, tz: ZoneInfo) -> Suggestion | None:
    """The first clause that promises something by a readable, future date."""
    for sentence in SENTENCE.finditer(notes[:4000]):
        match = PROMISE.search(sentence.group())
        if not match:
            continue
        try:
            due = parse_when(match.group("when"), now=now, tz=tz, purpose="task")
        except BadDate:
            continue
        title = sentence.group().strip(" -,")
        return Suggestion(title=cut(title[:1].upper() + title[1:], TITLE_LIMIT), due_at=due)
    return None
