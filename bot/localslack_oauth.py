"""The OAuth side of the Slack stand-in: ``oauth.v2.access`` and per-workspace bot tokens.

Slack's consent screen is a browser page; here ``grant(team)`` stands for an admin of
``team`` pressing "Allow": it returns the ``code`` Slack would add to the redirect URL.
``oauth.v2.access`` then exchanges it (client id and secret in Basic auth, as slack_sdk
sends them) for a bot token of that workspace, and, when ``expires_in`` is set (token
rotation turned on for the app), a refresh token that ``grant_type=refresh_token``
exchanges for a new pair. Each token answers ``auth.test`` and ``users.info`` for its own
workspace; an expired one is refused with ``token_expired``, as Slack does.
"""

from __future__ import annotations

import base64
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

OAUTH_METHODS = frozenset({"oauth.v2.access"})
CLIENT_ID = "1111.2222"
CLIENT_SECRET = "local-client-secret"
APP_ID = "A0001"
SCOPE = "commands,chat:write,im:write,users:read,users:read.email"


@dataclass(frozen=True)
class Workspace:
    """Who a bot token speaks for."""

    team_id: str
    team_name: str
    bot_user_id: str
    bot_id: str


class LocalOAuth:
    """Codes, bot tokens and refresh tokens of the workspaces that installed the app."""

    def __init__(
        self,
        *,
        client_id: str = CLIENT_ID,
        client_secret: str = CLIENT_SECRET,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.client_id, self.client_secret, self._clock = client_id, client_secret, clock
        self.expires_in: int | None = None  # set: tokens expire and come with refresh tokens
        self._counter = itertools.count(1)
        self._codes: dict[str, Workspace] = {}
        self._tokens: dict[str, tuple[Workspace, float | None]] = {}
        self._refresh: dict[str, Workspace] = {}
        self.revoked: set[str] = set()

    def grant(self, team_id: str, team_name: str | None = None) -> str:
        """An admin of ``team_id`` allowed the install: the one-time code for the redirect."""
        suffix = team_id.removeprefix("T")
        workspace = Workspace(team_id, team_name or f"Team {team_id}", f"UB{suffix}", f"B{suffix}")
        code = f"code-{team_id}-{next(self._counter)}"
        self._codes[code] = workspace
        return code

    def workspace(self, token: str | None) -> Workspace | None:
        """The workspace a token was issued for, expired or not; None for other tokens."""
        found = self._tokens.get(token or "")
        return found[0] if found else None

    def token_error(self, token: str | None) -> str | None:
        """Why Slack would refuse this issued token (``token_expired``), else None."""
        _, expires_at = self._tokens[token or ""]
        if token in self.revoked:
            return "token_revoked"
        return "token_expired" if expires_at is not None and self._clock() >= expires_at else None

    def tokens_of(self, team_id: str) -> list[str]:
        """Every bot token issued to a workspace, oldest first."""
        return [t for t, (w, _) in self._tokens.items() if w.team_id == team_id]

    def answer(self, method: str, args: dict[str, Any], authorization: str) -> dict[str, Any]:
        if not self._client_ok(args, authorization):
            return {"ok": False, "error": "invalid_client_id"}
        if args.get("grant_type") == "refresh_token":
            workspace = self._refresh.pop(str(args.get("refresh_token")), None)
            if workspace is None:
                return {"ok": False, "error": "invalid_refresh_token"}
            return {"ok": True} | self._issue(workspace)
        workspace = self._codes.pop(str(args.get("code")), None)
        if workspace is None:
            return {"ok": False, "error": "invalid_code"}
        team = {"id": workspace.team_id, "name": workspace.team_name}
        installer = {"id": f"U{workspace.team_id.removeprefix('T')}ADMIN", "scope": ""}
        return (
            {"ok": True, "app_id": APP_ID, "team": team, "enterprise": None}
            | {
                "authed_user": installer,
                "bot_user_id": workspace.bot_user_id,
                "is_enterprise_install": False,
            }
            | self._issue(workspace)
        )

    def revoke(self, token: str | None) -> dict[str, Any]:
        """``auth.revoke``: the token stops working (an issued one; others are left be)."""
        if token in self._tokens:
            self.revoked.add(token)
        return {"revoked": True}

    def _issue(self, workspace: Workspace) -> dict[str, Any]:
        n = next(self._counter)
        token = f"xoxb-{workspace.team_id}-{n}"
        issued: dict[str, Any] = {"access_token": token, "token_type": "bot", "scope": SCOPE}
        expires_at = None
        if self.expires_in is not None:
            expires_at = self._clock() + self.expires_in
            refresh = f"xoxe-1-{workspace.team_id}-{n}"
            self._refresh[refresh] = workspace
            issued |= {"refresh_token": refresh, "expires_in": self.expires_in}
        self._tokens[token] = (workspace, expires_at)
        return issued

    def _client_ok(self, args: dict[str, Any], authorization: str) -> bool:
        client_id, client_secret = args.get("client_id"), args.get("client_secret")
        if authorization.startswith("Basic "):
            decoded = base64.b64decode(authorization.removeprefix("Basic ")).decode()
            client_id, _, client_secret = decoded.partition(":")
        return (client_id, client_secret) == (self.client_id, self.client_secret)
