"""The App Home tab as a Block Kit ``home`` view; its paging kept in private_metadata."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bot.slack import render
from domain.cards import Block
from domain.services.home_sections import Pages

CALLBACK = "crm_home"


def home_view(blocks: Sequence[Block], pages: Pages) -> dict[str, Any]:
    return {
        "type": "home",
        "callback_id": CALLBACK,
        "private_metadata": json.dumps({"pages": pages.to_json()}),
        "blocks": [render.block(b) for b in blocks],
    }


def is_home(view: dict[str, Any] | None) -> bool:
    return bool(view) and (view or {}).get("type") == "home"


def pages_of(view: dict[str, Any] | None) -> Pages:
    """The paging the Home was published with; the defaults if unreadable."""
    return Pages.from_json(_metadata(view).get("pages"))


def from_home(body: dict[str, Any]) -> Pages | None:
    """The Home's paging when ``body`` is an action on the Home tab, or the submission of a
    form opened from it (``mark_from_home``); None for anything else."""
    view = body.get("view")
    if is_home(view):
        return pages_of(view)
    kept = _metadata(view).get("home")
    return Pages.from_json(kept) if isinstance(kept, dict) else None


def mark_from_home(view: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """A form about to open: when the click came from the Home, remember it (and the
    Home's paging) in the form's private_metadata, so its submission refreshes the Home."""
    if not is_home(body.get("view")) or not _is_object(view.get("private_metadata") or "{}"):
        return view  # not from the Home, or metadata that isn't ours to add to
    kept = {**_metadata(view), "home": pages_of(body.get("view")).to_json()}
    return {**view, "private_metadata": json.dumps(kept)}


def _metadata(view: dict[str, Any] | None) -> dict[str, Any]:
    try:
        kept = json.loads((view or {}).get("private_metadata") or "{}")
    except json.JSONDecodeError:
        return {}
    return kept if isinstance(kept, dict) else {}


def _is_object(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except json.JSONDecodeError:
        return False
