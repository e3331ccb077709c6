"""What Slack would send for what the console user does."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from typing import Any

from bot.console.text import Pressable


@dataclass
class Identity:
    user_id: str
    user_name: str
    team_id: str = "T0001"
    channel_id: str = "CCONSOLE"
    api_app_id: str = "ACONSOLE"
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def trigger_id(self) -> str:
        return f"{int(time.time())}.{next(self._ids)}.console"

    def user(self) -> dict[str, str]:
        return {"id": self.user_id, "username": self.user_name, "team_id": self.team_id}


def block_actions(
    who: Identity, pressed: Pressable, *, message: dict[str, Any] | None, response_url: str
) -> dict[str, Any]:
    action = {
        "type": pressed.action.get("type", "button"),
        "action_id": pressed.action.get("action_id"),
        "block_id": pressed.block_id,
        "value": pressed.action.get("value", ""),
        "text": pressed.action.get("text"),
        "action_ts": f"{time.time():.6f}",
    }
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": who.user(),
        "api_app_id": who.api_app_id,
        "team": {"id": who.team_id, "domain": "console"},
        "channel": {"id": who.channel_id, "name": "console"},
        "trigger_id": who.trigger_id(),
        "response_url": response_url,
        "actions": [action],
        "container": {"type": "message", "channel_id": who.channel_id, "is_ephemeral": True},
    }
    if message is not None and message.get("type") == "home":
        return _on_home(payload, message)
    if message is not None:
        payload["message"] = message
    return payload


def _on_home(payload: dict[str, Any], home: dict[str, Any]) -> dict[str, Any]:
    """A click on the App Home: no channel, no response_url; the view comes along."""
    del payload["channel"], payload["response_url"]
    view_id = str(home.get("id") or "VCONSOLEHOME")
    return {**payload, "container": {"type": "view", "view_id": view_id}, "view": home}


def app_home_opened(who: Identity) -> dict[str, Any]:
    """The event Slack sends when the user opens the app's Home tab."""
    return {
        "type": "event_callback",
        "team_id": who.team_id,
        "api_app_id": who.api_app_id,
        "event_id": f"EvConsole{who.trigger_id().replace('.', '')}",
        "event_time": int(time.time()),
        "event": {"type": "app_home_opened", "user": who.user_id, "tab": "home",
                  "channel": "DCONSOLE", "event_ts": f"{time.time():.6f}"},
    }  # fmt: skip


def view_submission(who: Identity, view: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "view_submission",
        "user": who.user(),
        "api_app_id": who.api_app_id,
        "team": {"id": who.team_id, "domain": "console"},
        "trigger_id": who.trigger_id(),
        "view": {**view, "state": {"values": values}},
        "response_urls": [],
    }


def block_suggestion(
    who: Identity, view: dict[str, Any], *, block_id: str, action_id: str, value: str
) -> dict[str, Any]:
    return {
        "type": "block_suggestion",
        "user": who.user(),
        "api_app_id": who.api_app_id,
        "team": {"id": who.team_id, "domain": "console"},
        "block_id": block_id,
        "action_id": action_id,
        "value": value,
        "view": view,
    }
