"""Block Kit rendered as terminal text, with interactive elements numbered."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

MENTION = re.compile(r"<([@#!])([^>|]+)(?:\|([^>]+))?>")
LINK = re.compile(r"<(https?://[^>|]+)\|([^>]+)>")


@dataclass(frozen=True)
class Pressable:
    """A button the user can press by number, with what Slack would send for it."""

    label: str
    action: dict[str, Any]
    block_id: str


def plain(text: str) -> str:
    """mrkdwn to what a person reads: links and mentions shown, escapes undone."""
    text = LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})", text)
    text = MENTION.sub(lambda m: m.group(3) or f"{m.group(1)}{m.group(2)}", text)
    return html.unescape(text)


def render(blocks: list[dict[str, Any]], fallback: str, start: int) -> tuple[str, list[Pressable]]:
    """Text for ``blocks`` (or ``fallback``); buttons numbered from ``start``."""
    if not blocks:
        return plain(fallback), []
    lines: list[str] = []
    buttons: list[Pressable] = []
    for index, block in enumerate(blocks):
        block_id = str(block.get("block_id") or f"b{index}")
        lines.extend(_block(block))
        for element in _buttons(block):
            buttons.append(Pressable(_label(element), element, block_id))
    if buttons:
        lines.append("  ".join(f"[{start + i}] {b.label}" for i, b in enumerate(buttons)))
    return "\n".join(lines), buttons


def _block(block: dict[str, Any]) -> list[str]:
    kind = block.get("type")
    if kind == "header":
        return [f"== {plain(block['text']['text'])} =="]
    if kind == "section":
        out = [plain(block["text"]["text"])] if block.get("text") else []
        out += [f"  {plain(f['text'])}" for f in block.get("fields", [])]
        return out
    if kind == "context":
        return ["  " + " · ".join(plain(e.get("text", "")) for e in block.get("elements", []))]
    if kind == "divider":
        return ["-" * 40]
    if kind == "image":
        return [f"[image: {block.get('alt_text', '')}]"]
    return []


def _buttons(block: dict[str, Any]) -> list[dict[str, Any]]:
    if block.get("type") == "actions":
        return [e for e in block.get("elements", []) if e.get("type") == "button"]
    accessory = block.get("accessory")
    if block.get("type") == "section" and accessory and accessory.get("type") == "button":
        return [accessory]
    return []


def _label(element: dict[str, Any]) -> str:
    return plain(element.get("text", {}).get("text", "?"))
