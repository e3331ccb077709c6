"""A local stand-in of Slack's Web API, for `crmbot console` and the Slack tests."""

from __future__ import annotations

import itertools
import json
import logging
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from aiohttp import web
from slack_sdk.signature import SignatureVerifier

from bot.localslack_limits import refusal
from bot.localslack_oauth import OAUTH_METHODS, LocalOAuth
from bot.localslack_rates import RateLimiter, RateLimits
from bot.localslack_socket import APP_TOKEN_METHODS, LocalSocketMode
from bot.loopback import LoopbackServer

logger = logging.getLogger(__name__)

_JSON_ARGS = ("blocks", "attachments", "view", "metadata")
_MESSAGES = ("chat.postMessage", "chat.postEphemeral", "chat.update", "response_url")
_RESPONSE_URL_USES = 5  # Slack honours a response_url five times
_DOMAIN = "crmbot-local"


@dataclass(frozen=True)
class Call:
    """One request that reached the stand-in; `error` is what it answered, None when ok."""

    method: str
    args: dict[str, Any]
    token: str | None
    time: float
    error: str | None = None


@dataclass(frozen=True)
class Message:
    """One message the app posted, updated or sent to a response_url, as Slack accepted it."""

    method: str
    channel: str | None
    ts: str | None
    text: str
    blocks: list[dict[str, Any]]
    user: str | None = None  # whom an ephemeral message was shown to
    response_url: str | None = None  # the name given to LocalSlack.response_url()


@dataclass(frozen=True)
class _Fault:
    status: int
    error: str
    headers: dict[str, str]


class _Refused(Exception):
    """Raised by a method handler: Slack answers `{"ok": false, "error": <args[0]>}`."""


class LocalSlack(LoopbackServer):
    """An aiohttp server on 127.0.0.1 that answers Slack Web API calls and response_url posts.

    The app under test (or `crmbot console`) points its AsyncWebClient at `api_url` and runs
    unchanged. The stand-in records every call, refuses payloads that break Block Kit limits the
    way Slack does (and lists them in `violations`), and fails a call on demand (`fail_next`) so
    the retry and outbox paths can be exercised without Slack. With `rate_limits` it answers
    429 + Retry-After the way Slack's rate limits do (per channel, workspace-wide).
    """

    def __init__(
        self,
        *,
        bot_user_id: str = "UBOT",
        team_id: str = "T0001",
        bot_id: str = "B0001",
        tokens: Iterable[str] | None = None,
        port: int = 0,
        clock: Callable[[], float] = time.time,
        rate_limits: RateLimits | None = None,
    ) -> None:
        self.bot_user_id, self.team_id, self.bot_id = bot_user_id, team_id, bot_id
        self.users: dict[str, dict[str, Any]] = {}
        self.calls: list[Call] = []
        self.messages: list[Message] = []
        self.violations: list[str] = []
        self._tokens = frozenset(tokens) if tokens is not None else None
        super().__init__(port=port)
        self._clock = clock
        self._faults: defaultdict[str, deque[_Fault]] = defaultdict(deque)
        # Slack's 429s, simulated when asked for (bot/localslack_rates.py); off by default
        self.rate_limiter = RateLimiter(rate_limits, clock) if rate_limits else None
        self._counter = itertools.count(1)
        self._dms: dict[str, str] = {}
        self._url_uses: defaultdict[str, int] = defaultdict(int)
        self.socket = LocalSocketMode()  # Socket Mode: apps.connections.open and /socket
        # OAuth installs: oauth.v2.access and one bot token per workspace (localslack_oauth)
        self.oauth = LocalOAuth(clock=clock)
        self._caller: str | None = None  # the token of the call being answered
        self._methods: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "auth.test": self._auth_test,
            "auth.revoke": lambda a: self.oauth.revoke(self._caller),
            "apps.connections.open": lambda a: self.socket.open_connection(self._base),
            "chat.postMessage": self._post_message,
            "chat.postEphemeral": self._post_ephemeral,
            "chat.update": self._update,
            "chat.delete": lambda a: {"channel": _need(a, "channel"), "ts": _need(a, "ts")},
            "chat.getPermalink": self._permalink,
            "conversations.open": self._open_conversation,
            "users.info": self._user_info,
            "views.open": lambda a: self._view(a, needs="trigger_id"),
            "views.push": lambda a: self._view(a, needs="trigger_id"),
            "views.update": lambda a: self._view(
                a, needs=None if a.get("external_id") else "view_id", view_id=a.get("view_id")
            ),
            "views.publish": lambda a: self._view(a, needs="user_id"),
        }

    label = "local Slack Web API"

    def routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/respond/{name}", self._respond)
        self.socket.install(app)

    @property
    def api_url(self) -> str:
        return f"{self.base_url}api/"

    def response_url(self, name: str) -> str:
        return f"{self.api_url.removesuffix('api/')}respond/{name}"

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    async def wait_for(
        self,
        method: str,
        count: int = 1,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[Call]:
        """Wait until `count` calls of `method` arrived (any answer); TimeoutError otherwise."""
        try:
            await self.wait_until(lambda: len(self.calls_to(method)) >= count, timeout=timeout)
        except TimeoutError:
            seen = ", ".join(call.method for call in self.calls) or "nothing"
            raise TimeoutError(f"{count} x {method} not seen in {timeout}s; saw {seen}") from None
        return self.calls_to(method)

    def fail_next(
        self, method: str, error: str | None = None, *, status: int = 429, retry_after: int = 1
    ) -> None:
        """Make the next call to `method` ("response_url" for those) fail; calls queue up."""
        default = {429: "ratelimited", 200: "fatal_error"}.get(status, "internal_error")
        headers = {"Retry-After": str(retry_after)} if status == 429 else {}
        self._faults[method].append(_Fault(status, error or default, headers))

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await _read_args(request)
        bearer = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        token = bearer or args.pop("token", None)
        args.pop("token", None)  # a form token next to the header is not an argument either
        status, headers = 200, {}
        answer: dict[str, Any] = {"ok": True}
        if fault := self._take_fault(method) or self._rate_limited(method, args):
            status, headers = fault.status, fault.headers
            answer = {"ok": False, "error": fault.error}
        elif method in OAUTH_METHODS:
            answer = self.oauth.answer(method, args, request.headers.get("Authorization", ""))
            token = None  # the app's client id and secret, not a token
        elif error := self._token_error(token, method):
            answer = {"ok": False, "error": error}
        elif method not in self._methods:
            answer = {"ok": False, "error": "unknown_method"}
        elif refused := self._refusal(method, args):
            answer = refused
        else:
            try:
                self._caller = token
                answer |= self._methods[method](args)
            except _Refused as refused_by_method:
                answer = {"ok": False, "error": str(refused_by_method)}
        await self._record(Call(method, args, token, self._clock(), answer.get("error")), answer)
        return web.json_response(answer, status=status, headers=headers)

    async def _respond(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        args = await _read_args(request)
        self._url_uses[name] += 1
        status, headers, error = 200, {}, None
        if fault := self._take_fault("response_url"):
            status, headers, error = fault.status, fault.headers, fault.error
        elif self._url_uses[name] > _RESPONSE_URL_USES:
            self._report("response_url", [f"{name} used more than {_RESPONSE_URL_USES} times"])
            status, error = 404, "used_url"
        elif refused := self._refusal("response_url", args):
            status, error = 400, refused["error"]
        answer = {"ok": error is None, "error": error, "response_url": name}
        await self._record(Call("response_url", args, None, self._clock(), error), answer)
        return web.Response(status=status, headers=headers, text=error or "ok")

    def _token_error(self, token: str | None, method: str) -> str | None:
        if method not in APP_TOKEN_METHODS and self.oauth.workspace(token) is not None:
            return self.oauth.token_error(token)
        return None if self._token_ok(token, method) else "invalid_auth"

    def _token_ok(self, token: str | None, method: str) -> bool:
        if method in APP_TOKEN_METHODS:
            return self.socket.token_ok(token)
        if self._tokens is not None:
            return token in self._tokens
        return str(token).startswith(("xoxb-", "xoxp-"))

    def _rate_limited(self, method: str, args: dict[str, Any]) -> _Fault | None:
        if self.rate_limiter is None:
            return None
        channel = args.get("channel")
        wait = self.rate_limiter.retry_after(method, channel if isinstance(channel, str) else None)
        return None if wait is None else _Fault(429, "ratelimited", {"Retry-After": str(wait)})

    def _take_fault(self, method: str) -> _Fault | None:
        faults = self._faults.get(method)
        return faults.popleft() if faults else None

    def _refusal(self, method: str, args: dict[str, Any]) -> dict[str, Any] | None:
        if found := refusal(method, args):
            error, errors = found
            self._report(method, errors)
            return {"ok": False, "error": error, "errors": errors}
        return None

    def _report(self, method: str, errors: list[str]) -> None:
        for error in errors:
            logger.warning("Slack would refuse %s: %s", method, error)
            self.violations.append(f"{method}: {error}")

    async def _record(self, call: Call, answer: dict[str, Any]) -> None:
        self.calls.append(call)
        if answer.get("ok") and call.method in _MESSAGES:
            self.messages.append(
                Message(
                    method=call.method,
                    channel=answer.get("channel", call.args.get("channel")),
                    ts=answer.get("ts") or answer.get("message_ts"),
                    text=str(call.args.get("text") or ""),
                    blocks=call.args.get("blocks") or [],
                    user=call.args.get("user"),
                    response_url=answer.get("response_url"),
                )
            )
        await self.arrived()

    def _next_ts(self) -> str:
        return f"{int(self._clock())}.{next(self._counter):06d}"

    def _channel(self, args: dict[str, Any]) -> str:
        channel = _need(args, "channel", error="channel_not_found")
        # Posting to a user id lands in the bot's direct message with that user.
        return self._dm(channel) if channel[0] in "UW" else channel

    def _dm(self, users: str) -> str:
        prefix = "G" if "," in users else "D"
        return self._dms.setdefault(users, f"{prefix}{next(self._counter):08d}")

    def _team(self) -> str:
        """The workspace of the calling token: its own for an OAuth-issued one."""
        workspace = self.oauth.workspace(self._caller)
        return workspace.team_id if workspace else self.team_id

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        answer = {
            "url": f"https://{_DOMAIN}.slack.com/",
            "team": _DOMAIN,
            "user": "crmbot",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
        }
        if workspace := self.oauth.workspace(self._caller):
            answer |= {"team": workspace.team_name, "team_id": workspace.team_id}
            answer |= {"user_id": workspace.bot_user_id, "bot_id": workspace.bot_id}
        return answer

    def _post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, ts = self._channel(args), self._next_ts()
        message = {"type": "message", "user": self.bot_user_id, "bot_id": self.bot_id, "ts": ts}
        keep = ("text", "blocks", "attachments", "thread_ts", "metadata")
        return {"channel": channel, "ts": ts, "message": message | _pick(args, keep)}

    def _post_ephemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        _need(args, "user", error="user_not_in_channel")
        return {"channel": self._channel(args), "message_ts": self._next_ts()}

    def _update(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, ts = _need(args, "channel"), _need(args, "ts", error="message_not_found")
        message = _pick(args, ("text", "blocks", "attachments"))
        return {"channel": channel, "ts": ts, "text": args.get("text", ""), "message": message}

    def _permalink(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, ts = _need(args, "channel"), _need(args, "message_ts", error="message_not_found")
        link = f"https://{_DOMAIN}.slack.com/archives/{channel}/p{ts.replace('.', '')}"
        return {"channel": channel, "permalink": link}

    def _open_conversation(self, args: dict[str, Any]) -> dict[str, Any]:
        if args.get("channel"):
            return {"channel": {"id": args["channel"]}, "already_open": True}
        users = ",".join(sorted(_need(args, "users", error="users_list_not_supplied").split(",")))
        return {"channel": {"id": self._dm(users)}}

    def _user_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user_id = _need(args, "user", error="user_not_found")
        if user_id not in self.users:
            raise _Refused("user_not_found")
        user: dict[str, Any] = {
            "id": user_id,
            "team_id": self._team(),
            "name": user_id.lower(),
            "deleted": False,
        }
        user |= {"is_bot": False, "real_name": user_id} | self.users[user_id]
        profile = {"real_name": user["real_name"], "display_name": user["real_name"]}
        user["profile"] = profile | _pick(user, ("email",)) | user.get("profile", {})
        if user.get("tz") and "tz_offset" not in user:
            offset = datetime.fromtimestamp(self._clock(), ZoneInfo(user["tz"])).utcoffset()
            user["tz_offset"] = int(offset.total_seconds()) if offset else 0
        return {"user": user}

    def _view(
        self, args: dict[str, Any], *, needs: str | None = None, view_id: str | None = None
    ) -> dict[str, Any]:
        if needs:
            _need(args, needs)
        view_id = view_id or f"V{next(self._counter):08d}"
        state: dict[str, Any] = {
            "id": view_id,
            "team_id": self._team(),
            "app_id": "A0001",
            "bot_id": self.bot_id,
        }
        state |= {"root_view_id": view_id, "hash": self._next_ts(), "state": {"values": {}}}
        return {"view": {"private_metadata": "", "callback_id": ""} | args["view"] | state}


def _need(args: dict[str, Any], name: str, *, error: str = "invalid_arguments") -> str:
    value = args.get(name)
    if not value or not isinstance(value, str):
        raise _Refused(error)
    return value


def _pick(args: dict[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    return {key: args[key] for key in keys if args.get(key) is not None}


async def _read_args(request: web.Request) -> dict[str, Any]:
    """Merge query and body (JSON or form) the way Slack reads slack_sdk's requests."""
    args: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            logger.warning("unreadable JSON body for %s", request.path)
            body = {}
        args |= body if isinstance(body, dict) else {}
    elif request.can_read_body:
        args |= {key: value for key, value in (await request.post()).items()}
    for key in _JSON_ARGS:
        if isinstance(args.get(key), str):
            try:
                args[key] = json.loads(args[key])
            except ValueError:
                pass  # left a string: the Block Kit checks report it
    return args


def sign_request(signing_secret: str, body: str, *, timestamp: int | None = None) -> dict[str, str]:
    """The two headers Slack adds to a request it sends, signed with the app's secret."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(signing_secret).generate_signature(timestamp=stamp, body=body)
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": str(signature)}


def slash_command_body(
    *,
    text: str,
    user_id: str,
    channel_id: str,
    response_url: str,
    team_id: str = "T0001",
    trigger_id: str | None = None,
    command: str = "/crm",
    api_app_id: str = "A0001",
) -> str:
    """A slash command's form-encoded body, with the fields Slack sends."""
    fields = {
        "token": "local-verification-token",
        "team_id": team_id,
        "team_domain": _DOMAIN,
        "channel_id": channel_id,
        "channel_name": "directmessage" if channel_id.startswith("D") else "crm",
        "user_id": user_id,
        "user_name": user_id.lower(),
        "command": command,
        "text": text,
        "api_app_id": api_app_id,
        "response_url": response_url,
        "trigger_id": trigger_id or f"{uuid.uuid4().int % 10**13}.{uuid.uuid4().hex}",
    }
    return urlencode(fields)


def interaction_body(payload: dict[str, Any]) -> str:
    """An interaction's form-encoded body: `payload=<json>`, as Slack posts it."""
    return urlencode({"payload": json.dumps(payload)})
