"""What the "Log to CRM" message shortcut works with: the message, the form it opens
(a draft), what comes back from it, and a problem with one of its fields."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from domain.dates import parse_when
from domain.errors import BadDate, CrmError
from domain.model import ActivityType, Client

FORM_NOTES_MAX = 3000  # Slack's plain_text_input limit: the form shows this much


@dataclass(frozen=True)
class ChatMessage:
    """The message a shortcut was used on, as the chat platform describes it."""

    channel_id: str
    ts: str  # the platform's id of the message, also its time (seconds since the epoch)
    text: str  # with the platform's markup
    author: str | None = None
    author_name: str | None = None
    shared: bool = False  # a channel shared with another organisation (Slack Connect)
    response_url: str | None = None

    @property
    def source_ref(self) -> str:
        return f"{self.channel_id}:{self.ts}"

    def time(self, *, now: datetime) -> datetime:
        seconds, _, fraction = self.ts.partition(".")
        try:
            sent = datetime.fromtimestamp(int(seconds), UTC)
            sent = sent.replace(microsecond=int(fraction[:6].ljust(6, "0")) if fraction else 0)
        except (ValueError, OverflowError, OSError) as exc:
            raise CrmError("That message has no readable time; try again.") from exc
        return min(sent, now)  # a clock running ahead never makes it a future activity


@dataclass(frozen=True)
class Earlier:
    by: str | None
    by_name: str | None
    at: datetime


@dataclass(frozen=True)
class Draft:
    """What the form opens with."""

    token: str
    message: ChatMessage
    notes: str  # the whole note, plain text
    type: ActivityType
    client: Client | None
    client_fixed: bool  # a linked shared channel: no picker, it logs to its client
    occurred_at: datetime
    earlier: Earlier | None


@dataclass(frozen=True)
class Submission:
    token: str
    client: str | None  # the external id picked, when the form had a picker
    type: ActivityType
    notes: str
    follow_up: str = ""
    follow_up_when: str = ""


class FieldError(CrmError, ValueError):
    """A problem with one field of the form; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


def notes_to_keep(typed: str, *, whole: str) -> str:
    """The whole message when the box still holds what it opened with, else what was typed."""
    if _same(typed, whole[:FORM_NOTES_MAX]):
        return whole
    if not typed.strip():
        raise FieldError("notes", "Write what happened.")
    return typed


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def follow_up_when(form: Submission, *, now: datetime, tz: ZoneInfo) -> str | None:
    """The follow-up's WHEN as typed ("" for the default), None when there is no follow-up."""
    title, when = form.follow_up.strip(), form.follow_up_when.strip()
    if not title:
        if when:
            raise FieldError("follow_up", "Say what the follow-up task is (or clear its date).")
        return None
    if when:
        try:
            parse_when(when, now=now, tz=tz, purpose="task")
        except BadDate as exc:
            raise FieldError("follow_up_when", exc.user_message()) from exc
    return when
