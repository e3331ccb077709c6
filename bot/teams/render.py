"""Cards to Adaptive Cards 1.5: the one place Teams card JSON is built, within Teams' limits.

Buttons become ``Action.Execute`` (Universal Actions): ``verb`` is the button's action_id
and ``data`` carries its value, so one invoke handler answers every button. Buttons that
Slack answers with a form (Reject, Approve with comment) get a text field in the card
instead: Teams sends the fields' values with the action.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from domain.approvals.cards import APPROVE_COMMENT
from domain.cards import Actions, Block, Button, Card, Checkboxes, Divider, Header, Note, Text
from domain.chat.replies import REJECT
from domain.text import cut

VERSION = "1.5"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
MAX_ELEMENTS = 50
MAX_ACTIONS = 6  # Teams shows at most six buttons in one action set
TEXT_MAX = 3000
TITLE_MAX = 75
CHOICES_MAX = 10
CARD_BYTES = 24_000  # Teams refuses messages over ~28 KB; keep room for the envelope
NOTE = "note"  # the text field sent with Reject / Approve with comment
NEEDS_NOTE = frozenset({REJECT, APPROVE_COMMENT})
EMOJI = {
    "alarm_clock": "⏰", "bulb": "💡", "envelope": "✉️", "gear": "⚙️", "hourglass": "⌛",
    "inbox_tray": "📥", "large_green_circle": "🟢", "large_yellow_circle": "🟡",
    "leftwards_arrow_with_hook": "↩️", "link": "🔗", "memo": "📝", "no_entry_sign": "🚫",
    "package": "📦", "red_circle": "🔴", "repeat": "🔁", "robot_face": "🤖",
    "rotating_light": "🚨", "shopping_trolley": "🛒", "sunny": "☀️", "tada": "🎉",
    "warning": "⚠️", "wave": "👋", "white_check_mark": "✅", "x": "❌", "zzz": "💤",
}  # fmt: skip

_DATE = re.compile(r"<!date\^(\d+)\^[^|>]*\|([^>]*)>")
_USER = re.compile(r"<@([A-Za-z0-9:_-]+)>")
_LINK = re.compile(r"<(https?://[^|>\s]+)(?:\|([^>]*))?>")
_BOLD = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_EMOJI = re.compile(r":([a-z_]+):")


def markdown(text: str, names: Mapping[str, str] | None = None) -> str:
    """Slack's mrkdwn-light (already escaped) to the Markdown Adaptive Cards read."""
    text = text.replace("](", "]\u200b(")  # typed text must not become a Markdown link
    text = _DATE.sub(_date, text)
    text = _USER.sub(lambda m: (names or {}).get(m.group(1), m.group(1)), text)
    text = _LINK.sub(lambda m: f"[{m.group(2) or m.group(1)}]({m.group(1)})", text)
    text = _BOLD.sub(r"**\1**", text)
    text = _EMOJI.sub(lambda m: EMOJI.get(m.group(1), m.group(0)), text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return "\n\n".join(line.removeprefix(">") for line in text.split("\n"))


def _date(match: re.Match[str]) -> str:
    """A Slack date token to the Adaptive Card functions that show it in the reader's zone."""
    try:
        moment = datetime.fromtimestamp(int(match.group(1)), UTC)
    except (OverflowError, ValueError, OSError):
        return match.group(2)
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{{{{DATE({stamp}, SHORT)}}}} {{{{TIME({stamp})}}}}"


def execute(button: Button) -> dict[str, Any]:
    action: dict[str, Any] = {
        "type": "Action.Execute",
        "title": cut(button.label, TITLE_MAX),
        "verb": button.action_id,
        "data": {"value": button.value},
    }
    if button.style:
        action["style"] = "positive" if button.style == "primary" else "destructive"
    return action


def _text(text: str, names: Mapping[str, str] | None, **extra: Any) -> dict[str, Any]:
    body = cut(markdown(text, names), TEXT_MAX) or " "
    return {"type": "TextBlock", "text": body, "wrap": True, **extra}


def _facts(fields: tuple[str, ...], names: Mapping[str, str] | None) -> dict[str, Any]:
    facts = []
    for field in fields[:10]:
        title, _, value = field.partition("\n")
        if not value:
            title, value = "", title
        facts.append({"title": title.strip("*"), "value": cut(markdown(value, names), TEXT_MAX)})
    return {"type": "FactSet", "facts": facts}


def elements(block: Block, names: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """The Adaptive Card elements of one block (a block may need several)."""
    if isinstance(block, Header):
        return [_text(block.text, names, size="Large", weight="Bolder")]
    if isinstance(block, Text):
        out = [_text(block.text, names)]
        if block.fields:
            out.append(_facts(block.fields, names))
        if block.button:
            out.append({"type": "ActionSet", "actions": [execute(block.button)]})
        return out
    if isinstance(block, Note):
        return [_text(block.text, names, size="Small", isSubtle=True)]
    if isinstance(block, Actions):
        return _actions(block)
    if isinstance(block, Checkboxes):
        return [_text(block.label, names), _choices(block)]
    if isinstance(block, Divider):
        return []
    raise TypeError(f"no Adaptive Card rendering for {type(block).__name__}")


def _actions(block: Actions) -> list[dict[str, Any]]:
    buttons = block.buttons[:MAX_ACTIONS]
    out: list[dict[str, Any]] = []
    if any(b.action_id in NEEDS_NOTE for b in buttons):
        out.append(
            {
                "type": "Input.Text",
                "id": NOTE,
                "isMultiline": True,
                "maxLength": 2000,
                "placeholder": "Reason (needed to reject) or comment",
            }
        )
    out.append({"type": "ActionSet", "actions": [execute(b) for b in buttons]})
    return out


def _choices(block: Checkboxes) -> dict[str, Any]:
    choices = [
        {"title": cut(label, TITLE_MAX), "value": value[:150]}
        for label, value in block.options[:CHOICES_MAX]
    ]
    return {
        "type": "Input.ChoiceSet",
        "id": block.action_id,
        "isMultiSelect": True,
        "style": "expanded",
        "choices": choices,
    }


def adaptive_card(
    card: Card,
    *,
    names: Mapping[str, str] | None = None,
    refresh: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The card's Adaptive Card; ``names`` shows users by name, ``refresh`` (an
    ``Action.Execute`` and ``userIds``) lets Teams fetch the current card when shown."""
    body: list[dict[str, Any]] = []
    divide = False
    for block in card.blocks:
        found = elements(block, names)
        if divide and found:
            found[0]["separator"] = True
        divide = isinstance(block, Divider)
        body += found
    out: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": SCHEMA,
        "version": VERSION,
        "fallbackText": cut(card.summary, TEXT_MAX),
        "body": body,
    }
    if refresh:
        out["refresh"] = refresh
    return _within_limits(out)


def _within_limits(card: dict[str, Any]) -> dict[str, Any]:
    body = card["body"]
    if len(body) > MAX_ELEMENTS:
        body[MAX_ELEMENTS - 1 :] = [_more()]
    while len(json.dumps(card, ensure_ascii=False).encode()) > CARD_BYTES and len(body) > 1:
        body[-2:] = [_more()]
    return card


def _more() -> dict[str, Any]:
    return {"type": "TextBlock", "text": "…more not shown", "wrap": True, "isSubtle": True}


def attachment(card: dict[str, Any]) -> dict[str, Any]:
    return {"contentType": CONTENT_TYPE, "content": card}
