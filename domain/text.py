"""Text that users or imports supplied, made safe to show in chat."""

from __future__ import annotations

import re

ELLIPSIS = "…"
# C0 controls but tab, newline and carriage return, and DEL: never meant, and PostgreSQL
# refuses NUL in text outright
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def printable(text: str) -> str:
    """``text`` without the control characters no one types (NUL, escape sequences…)."""
    return _CONTROLS.sub("", text)


def escape(text: str) -> str:
    """Escape mrkdwn control characters so no input can ping, link or break a message."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cut(text: str, limit: int) -> str:
    """Shorten ``text`` to at most ``limit`` characters, marking the cut."""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - 1)].rstrip() + ELLIPSIS


def safe(text: str, limit: int) -> str:
    """Escape, then cut without splitting an escape sequence."""
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    short = escaped[: max(0, limit - 1)]
    amp = short.rfind("&")
    if amp != -1 and ";" not in short[amp:]:
        short = short[:amp]
    return short.rstrip() + ELLIPSIS
