"""A card's text made plain, for its ``summary``: the notification and fallback text.

Slack shows ``text`` in notifications and to screen readers, where mrkdwn is not drawn:
``*Acme*`` would read with its asterisks, ``&amp;`` as five characters (the renderer
escapes the summary itself, so an escaped summary is escaped twice) and ``<@U123>`` as
an id. So a message written in mrkdwn (an ``info_card``, an error) is turned into what
a reader sees: markers and emoji codes dropped, escapes undone, links as their label, a
user mention as the name it carries, else "someone" (a card knows ids, not names).
"""

from __future__ import annotations

import re

from domain.chat.message_text import plain

_BARE_MENTION = re.compile(r"<@[A-Z0-9]+>(?:(?:, | and )<@[A-Z0-9]+>)*")  # one, or a list
# *bold*, _italic_, ~strike~ around words; code spans and blocks
_EMPHASIS = re.compile(r"(?<![\w*_~])([*_~])(?=\S)(.+?)(?<=\S)\1(?![\w*_~])", re.DOTALL)
_CODE = re.compile(r"`{1,3}")
_QUOTE = re.compile(r"^&gt; ?", re.MULTILINE)
# an emoji code standing as a word (":warning: Saved"), not the colons of "10:30:00"
_EMOJI = re.compile(r"(?<!\S):[a-z0-9][a-z0-9_+\-]*:(?!\S)")


def notification_text(mrkdwn: str) -> str:
    """``mrkdwn`` (escaped user text, markers, mentions) as plain text on one line."""
    text = _BARE_MENTION.sub("someone", mrkdwn)
    text = _QUOTE.sub("", text)
    text = _EMOJI.sub("", text)
    text = _CODE.sub("", text)
    text = _EMPHASIS.sub(r"\2", text)
    return " ".join(plain(text).split())
