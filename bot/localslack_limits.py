"""Block Kit limits, checked the way Slack checks them before it accepts a message or a view.

Slack refuses a payload that breaks a limit (`invalid_blocks`), and in production that refusal
loses a reply. The local stand-in of Slack runs these checks on every message and view so a
test fails where Slack would. Explicit checks report every problem with a JSON path; slack_sdk's
models (`Block.parse(...).to_dict()`, `View.validate_json()`) catch the rest.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

logger = logging.getLogger(__name__)

MESSAGE_BLOCKS_MAX = 50
VIEW_BLOCKS_MAX = 100
MESSAGE_TEXT_MAX = 40_000

_MESSAGE_METHODS = ("chat.postMessage", "chat.postEphemeral", "chat.update", "response_url")

Rule = Callable[[dict[str, Any], str], list[str]]


def refusal(method: str, args: Mapping[str, Any]) -> tuple[str, list[str]] | None:
    """The error Slack answers to `method` with these args, and why; None when it would take them.

    `method` is a Web API method, or "response_url" for a post to a response_url.
    """
    if method.startswith("views."):
        errors = check_view(args.get("view"))
        return ("invalid_arguments", errors) if errors else None
    if method not in _MESSAGE_METHODS:
        return None
    content = ("text", "blocks", "attachments", "delete_original")
    if not any(args.get(key) for key in content):
        return ("no_text", ["no text, blocks or attachments"])
    errors = check_message(args)
    return ("invalid_blocks", errors) if errors else None


def check_message(args: Mapping[str, Any]) -> list[str]:
    """Every limit a message (chat.*, response_url) breaks, empty when Slack would take it."""
    errors = _max_len(args.get("text"), MESSAGE_TEXT_MAX, "text")
    if args.get("blocks") is not None:
        errors += _check_blocks(args["blocks"], limit=MESSAGE_BLOCKS_MAX, where="blocks")
    return errors


def check_view(view: Any) -> list[str]:
    """Every limit a view (modal or App Home) breaks, empty when Slack would take it."""
    if not isinstance(view, dict):
        return ["view: must be a JSON object"]
    errors: list[str] = []
    if view.get("type") not in ("modal", "home"):
        errors.append(f"view.type: must be modal or home, not {view.get('type')!r}")
    if view.get("type") == "modal" and "title" not in view:
        errors.append("view.title: a modal needs a title")
    for key in ("title", "submit", "close"):
        if key in view:
            errors += _plain_text(view[key], 24, f"view.{key}")
    errors += _max_len(view.get("private_metadata"), 3000, "view.private_metadata")
    errors += _max_len(view.get("callback_id"), 255, "view.callback_id")
    errors += _max_len(view.get("external_id"), 255, "view.external_id")
    errors += _check_blocks(view.get("blocks"), limit=VIEW_BLOCKS_MAX, where="view.blocks")
    if not errors:
        errors += _sdk_errors(lambda: View(**view).validate_json(), "view")
    return errors


def _check_blocks(blocks: Any, *, limit: int, where: str) -> list[str]:
    if not isinstance(blocks, list):
        return [f"{where}: must be an array of blocks"]
    errors = [f"{where}: {len(blocks)} blocks, at most {limit}"] if len(blocks) > limit else []
    for i, block in enumerate(blocks):
        path = f"{where}[{i}]"
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            errors.append(f"{path}: a block must be an object with a type")
            continue
        # The explicit walk names the exact field; the SDK only runs when it found nothing.
        found = _walk(block, path)
        errors += found or _sdk_errors(partial(_sdk_block, block), path)
    return errors


def _sdk_block(block: dict[str, Any]) -> None:
    parsed = Block.parse(block)
    if parsed is None:
        raise SlackObjectFormationError(f"unsupported block type {block['type']!r}")
    parsed.to_dict()


def _sdk_errors(check: Callable[[], object], path: str) -> list[str]:
    try:
        check()
    except SlackObjectFormationError as exc:
        return [f"{path}: {exc}"]
    except (TypeError, KeyError, AttributeError, ValueError) as exc:
        return [f"{path}: malformed ({exc!r})"]
    return []


def _walk(node: Any, path: str) -> list[str]:
    errors: list[str] = []
    if isinstance(node, list):
        for i, item in enumerate(node):
            errors += _walk(item, f"{path}[{i}]")
        return errors
    if not isinstance(node, dict):
        return errors
    for key in ("action_id", "block_id"):
        errors += _max_len(node.get(key), 255, f"{path}.{key}")
    rule = _RULES.get(str(node.get("type")))
    if rule is not None:
        errors += rule(node, path)
    if isinstance(node.get("options"), list):  # selects, option groups, checkboxes, overflow
        errors += _options(node["options"], f"{path}.options")
    for key, value in node.items():
        if isinstance(value, dict | list):
            errors += _walk(value, f"{path}.{key}")
    return errors


def _max_len(value: Any, limit: int, path: str) -> list[str]:
    if isinstance(value, str | list) and len(value) > limit:
        return [f"{path}: {len(value)} long, at most {limit}"]
    return []


def _text(obj: Any, limit: int, path: str) -> list[str]:
    """A text object: {"type": "plain_text"|"mrkdwn", "text": 1..limit characters}."""
    if not isinstance(obj, dict) or obj.get("type") not in ("plain_text", "mrkdwn"):
        return [f"{path}: must be a plain_text or mrkdwn text object"]
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        return [f"{path}.text: must be a string of at least 1 character"]
    return _max_len(text, limit, f"{path}.text")


def _plain_text(obj: Any, limit: int, path: str) -> list[str]:
    if isinstance(obj, dict) and obj.get("type") == "mrkdwn":
        return [f"{path}: must be plain_text, not mrkdwn"]
    return _text(obj, limit, path)


def _section(node: dict[str, Any], path: str) -> list[str]:
    if "text" not in node and "fields" not in node:
        return [f"{path}: a section needs text or fields"]
    errors = _text(node["text"], 3000, f"{path}.text") if "text" in node else []
    fields = node.get("fields", [])
    errors += _max_len(fields, 10, f"{path}.fields")
    for i, field in enumerate(fields if isinstance(fields, list) else []):
        errors += _text(field, 2000, f"{path}.fields[{i}]")
    return errors


def _button(node: dict[str, Any], path: str) -> list[str]:
    return (
        _plain_text(node.get("text"), 75, f"{path}.text")
        + _max_len(node.get("value"), 2000, f"{path}.value")
        + _max_len(node.get("url"), 3000, f"{path}.url")
    )


def _input(node: dict[str, Any], path: str) -> list[str]:
    errors = _plain_text(node.get("label"), 2000, f"{path}.label")
    if "hint" in node:
        errors += _plain_text(node["hint"], 2000, f"{path}.hint")
    return errors


def _options(options: list[Any], path: str) -> list[str]:
    errors = _max_len(options, 100, path)
    for i, option in enumerate(options):
        if not isinstance(option, dict):
            errors.append(f"{path}[{i}]: an option must be an object")
            continue
        errors += _text(option.get("text"), 75, f"{path}[{i}].text")
        errors += _max_len(option.get("value"), 150, f"{path}[{i}].value")
    return errors


def _elements(limit: int) -> Rule:
    return lambda node, path: _max_len(node.get("elements"), limit, f"{path}.elements")


_RULES: dict[str, Rule] = {
    "section": _section,
    "header": lambda node, path: _plain_text(node.get("text"), 150, f"{path}.text"),
    "context": _elements(10),
    "actions": _elements(25),
    "input": _input,
    "button": _button,
    "static_select": lambda node, path: _max_len(
        node.get("option_groups"), 100, f"{path}.option_groups"
    ),
}
