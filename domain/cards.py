"""Platform-neutral cards: what to show, not how Slack or Teams draws it.

Text in a card is mrkdwn-light (``*bold*``, ``_italic_``, `` `code` ``); anything a user
or an import supplied must already be escaped (``domain.text.escape``) when put in.
Renderers (``bot/slack/render.py``, the Teams adapter) enforce their platform's limits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from domain.notification import notification_text

Style = Literal["primary", "danger"] | None


@dataclass(frozen=True)
class Button:
    label: str
    action_id: str
    value: str = ""
    style: Style = None


@dataclass(frozen=True)
class Header:
    text: str


@dataclass(frozen=True)
class Text:
    text: str
    fields: tuple[str, ...] = ()
    button: Button | None = None


@dataclass(frozen=True)
class Note:
    """Small print under a block (a context line)."""

    text: str


@dataclass(frozen=True)
class Actions:
    buttons: tuple[Button, ...]
    block_id: str | None = None


@dataclass(frozen=True)
class Divider:
    pass


@dataclass(frozen=True)
class Checkboxes:
    """Tick boxes; what is ticked comes back with the next button pressed on the message.

    ``options`` are (label, value) pairs, plain text; renderers keep to their limits.
    """

    label: str
    action_id: str
    options: tuple[tuple[str, str], ...]
    block_id: str | None = None


Block = Header | Text | Note | Actions | Divider | Checkboxes


@dataclass(frozen=True)
class Card:
    """A message: ``summary`` is the notification text, plain (renderers escape it);
    ``blocks`` the body."""

    summary: str
    blocks: tuple[Block, ...] = field(default_factory=tuple)
    shareable: bool = False
    share_ref: str = ""  # what the Share button hands back: a pending action's token


def error_card(message: str, *, summary: str | None = None) -> Card:
    """``message`` is mrkdwn (user text in it escaped); the summary is its plain reading
    unless given (plain, user text as typed: reading mrkdwn cannot tell a user's own
    asterisks from ours)."""
    plain = notification_text(message) if summary is None else summary
    return Card(summary=plain, blocks=(Text(f":warning: {message}"),))


def info_card(message: str, *, summary: str | None = None) -> Card:
    """As ``error_card``, without the warning sign."""
    plain = notification_text(message) if summary is None else summary
    return Card(summary=plain, blocks=(Text(message),))
