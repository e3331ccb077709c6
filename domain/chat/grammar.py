"""The ``/crm`` grammar of CONTRACT §4.1, parsed into command objects.

Parsing never raises: text it cannot accept becomes ``Invalid`` with a message that
says what to type instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain.model import ActivityType
from domain.text import escape, printable

MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>\s*")
MAX_TEXT = 4000


@dataclass(frozen=True)
class Help:
    topic: str | None = None


@dataclass(frozen=True)
class Invalid:
    message: str


@dataclass(frozen=True)
class LogActivity:
    type: ActivityType
    client: str | None  # None: the channel's linked client
    notes: str
    when: str | None = None


@dataclass(frozen=True)
class CreateTask:
    client: str | None
    title: str
    assignee: str | None = None  # a Slack user id; None: oneself
    when: str | None = None


@dataclass(frozen=True)
class OpenModal:
    kind: str  # "log" | "task" | "settings"


@dataclass(frozen=True)
class Simple:
    verb: str  # "tasks" | "quotes" | "unlink" | "digest"


@dataclass(frozen=True)
class ClientQuery:
    verb: str  # "health" | "link"
    client: str


@dataclass(frozen=True)
class Find:
    text: str


Command = Help | Invalid | LogActivity | CreateTask | OpenModal | Simple | ClientQuery | Find

VERBS = ("log", "task", "tasks", "health", "find", "quotes", "link", "unlink", "digest", "settings")
TYPES = ", ".join(f"`{t.value}`" for t in ActivityType)


def parse(text: str) -> Command:
    text = printable(text or "").strip()
    if len(text) > MAX_TEXT:
        return Invalid(f"That's {len(text):,} characters; `/crm` takes at most {MAX_TEXT:,}.")
    verb, _, rest = text.strip().partition(" ")
    verb, rest = verb.lower(), rest.strip()
    if verb in ("", "help"):
        return Help(rest or None)
    if verb == "log":
        return _log(rest) if rest else OpenModal("log")
    if verb == "task":
        return _task(rest) if rest else OpenModal("task")
    if verb in ("tasks", "quotes", "unlink", "digest"):
        return Simple(verb)
    if verb == "settings":
        return OpenModal("settings")
    if verb in ("health", "link"):
        if not rest:
            return Invalid(f"Which client? Try `/crm {verb} Acme`.")
        return ClientQuery(verb, rest)
    if verb == "find":
        return Find(rest) if rest else Invalid("Find what? Try `/crm find pricing`.")
    return Invalid(f"I don't know `{_short(verb)}`. Try `/crm help` to see what I can do.")


def _split_when(body: str) -> tuple[str, str | None]:
    main, bar, when = body.rpartition("|")
    if not bar:
        return body.strip(), None
    return main.strip(), when.strip() or None


def _client_and_text(rest: str, example: str) -> tuple[str | None, str] | Invalid:
    client, colon, text = rest.partition(":")
    if not colon:
        return Invalid(f"I need a colon after the client. Try `{example}`.")
    return (client.strip() or None), text.strip()


def _log(rest: str) -> Command:
    kind, _, body = rest.partition(" ")
    kind = kind.rstrip(":").lower()
    if kind not in {t.value for t in ActivityType}:
        return Invalid(
            f"`{_short(kind)}` isn't an activity type; use {TYPES}. "
            "Try `/crm log call Acme: talked pricing | yesterday 3pm`."
        )
    if rest.partition(" ")[0].endswith(":"):
        body = ":" + body
    parts = _client_and_text(body, "/crm log call Acme: talked pricing")
    if isinstance(parts, Invalid):
        return parts
    client, text = parts
    notes, when = _split_when(text)
    if not notes:
        return Invalid("What happened? Put the notes after the colon: `/crm log call Acme: …`.")
    return LogActivity(ActivityType(kind), client, notes, when)


def _task(rest: str) -> Command:
    assignee = None
    mention = MENTION.match(rest)
    if mention:
        assignee, rest = mention.group(1), rest[mention.end() :]
    elif rest.startswith("@"):
        return Invalid("Mention the person with Slack's @-autocomplete so I know who it is.")
    parts = _client_and_text(rest, "/crm task Acme: send pricing | friday 9am")
    if isinstance(parts, Invalid):
        return parts
    client, text = parts
    title, when = _split_when(text)
    if not title:
        return Invalid("What's the task? Put it after the colon: `/crm task Acme: send pricing`.")
    return CreateTask(client, title, assignee, when)


def _short(word: str) -> str:
    """A user's word echoed back: cut, escaped, and unable to close the code span."""
    return escape(word[:30].replace("`", "'"))
