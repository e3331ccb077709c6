"""Cards to Block Kit: the one place Block Kit dicts are built, within Slack's limits."""

from __future__ import annotations

from typing import Any

from domain.cards import Actions, Block, Button, Card, Checkboxes, Divider, Header, Note, Text
from domain.text import cut, safe

MAX_BLOCKS = 50
SECTION_TEXT = 3000
FIELD_TEXT = 2000
BUTTON_LABEL = 75
BUTTON_VALUE = 2000
HEADER_TEXT = 150
OPTION_TEXT = 75
SUMMARY_TEXT = 3000
SHARE_ACTION = "share_card"


def button(b: Button) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": cut(b.label, BUTTON_LABEL), "emoji": True},
        "action_id": b.action_id,
    }
    if b.value:
        out["value"] = b.value[:BUTTON_VALUE]
    if b.style:
        out["style"] = b.style
    return out


def block(b: Block) -> dict[str, Any]:
    if isinstance(b, Header):
        return {"type": "header", "text": {"type": "plain_text", "text": cut(b.text, HEADER_TEXT)}}
    if isinstance(b, Text):
        out: dict[str, Any] = {"type": "section", "text": _mrkdwn(b.text, SECTION_TEXT)}
        if b.fields:
            out["fields"] = [_mrkdwn(f, FIELD_TEXT) for f in b.fields[:10]]
        if b.button:
            out["accessory"] = button(b.button)
        return out
    if isinstance(b, Note):
        return {"type": "context", "elements": [_mrkdwn(b.text, SECTION_TEXT)]}
    if isinstance(b, Actions):
        out = {"type": "actions", "elements": [button(x) for x in b.buttons[:25]]}
        if b.block_id:
            out["block_id"] = b.block_id
        return out
    if isinstance(b, Divider):
        return {"type": "divider"}
    if isinstance(b, Checkboxes):
        return checkboxes(b)
    raise TypeError(f"no Block Kit rendering for {type(b).__name__}")


def checkboxes(b: Checkboxes) -> dict[str, Any]:
    """A section naming the choice, with at most 10 boxes (Block Kit's limit)."""
    options = [
        {"text": {"type": "plain_text", "text": cut(label, OPTION_TEXT)}, "value": value[:150]}
        for label, value in b.options[:10]
    ]
    out: dict[str, Any] = {
        "type": "section",
        "text": _mrkdwn(b.label, SECTION_TEXT),
        "accessory": {"type": "checkboxes", "action_id": b.action_id, "options": options},
    }
    if b.block_id:
        out["block_id"] = b.block_id
    return out


def blocks(card: Card) -> list[dict[str, Any]]:
    rendered = [block(b) for b in card.blocks]
    if card.shareable:
        rendered.append(block(Actions((Button("Share in channel", SHARE_ACTION, card.share_ref),))))
    if len(rendered) > MAX_BLOCKS:
        rendered = [*rendered[: MAX_BLOCKS - 1], block(Note("…more not shown"))]
    return rendered


def message(card: Card, **extra: Any) -> dict[str, Any]:
    """Keyword arguments for ``chat.postMessage``/``respond``/``ack``."""
    return {"text": safe(card.summary, SUMMARY_TEXT), "blocks": blocks(card), **extra}


def _mrkdwn(text: str, limit: int) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": cut(text, limit) or " "}
