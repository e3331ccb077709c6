"""A chat message's own markup (mentions, links, escapes) turned into plain text.

Slack writes ``<@U123>``, ``<#C123|sales>``, ``<https://x.io|the deck>``, ``<!here>`` and
escapes ``& < >``; a note stored from a message keeps what a reader saw instead, so
that it reads well anywhere and is escaped once, when shown.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_MARKUP = re.compile(r"<([^<>\n]+)>")
_USER = re.compile(r"[@](?P<id>[UW][A-Z0-9]+)")


def mentioned_users(text: str) -> set[str]:
    """The user ids a message mentions, to look up their names."""
    found = (_USER.fullmatch(m.group(1).split("|")[0]) for m in _MARKUP.finditer(text))
    return {user.group("id") for user in found if user}


def plain(text: str, names: Mapping[str, str] | None = None) -> str:
    """``text`` as a reader saw it; ``names`` maps user ids to the names shown for them."""
    names = names or {}
    return _unescape(_MARKUP.sub(lambda m: _one(m.group(1), names), text))


def _one(inner: str, names: Mapping[str, str]) -> str:
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        return "@" + (names.get(target[1:]) or label or target[1:])
    if target.startswith("#"):
        return "#" + (label or target[1:])
    if target.startswith("!"):
        return _special(target[1:], label)
    if target.startswith("mailto:"):
        return label or target.removeprefix("mailto:")
    if label and label != target:
        return f"{label} ({target})"
    return target


def _special(command: str, label: str) -> str:
    if command in ("here", "channel", "everyone"):
        return "@" + command
    return label or ""


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
