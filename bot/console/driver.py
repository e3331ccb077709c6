"""Drives the real app from the terminal: sends what Slack would, draws what comes back."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any, Self, TextIO

import aiohttp
from aiohttp import web

from bot.bootstrap import Container
from bot.console import payloads
from bot.console.modal import fill_view
from bot.console.text import Pressable, render
from bot.localslack import LocalSlack, interaction_body, sign_request, slash_command_body
from bot.slack.app import build_slack_app
from bot.web import build_web_app

Reader = Callable[[], Awaitable[str]]
IDLE = 0.3  # seconds without news before the prompt returns
PATIENCE = 15.0  # the longest we wait for a slow reply


class Driver:
    def __init__(
        self, container: Container, slack: LocalSlack, who: payloads.Identity, *, out: TextIO
    ) -> None:
        self.container, self.slack, self.who, self.out = container, slack, who, out
        self.buttons: list[tuple[Pressable, dict[str, Any]]] = []
        self._seen_messages = 0
        self._seen_calls = 0
        self._n = 0

    async def __aenter__(self) -> Self:
        app = build_web_app(self.container, build_slack_app(self.container))
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self._url = f"http://{host}:{port}/slack/events"
        self._http = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._http.close()
        await self._runner.cleanup()

    async def handle(self, line: str, *, read: Reader) -> None:
        if line.isdigit():
            await self._press(int(line), read)
            return
        if line.lower() == "home":  # the App Home tab, as opening it in Slack shows it
            body = json.dumps(payloads.app_home_opened(self.who))
            await self._settle(await self._post(body, content_type="application/json"), read)
            return
        text = line.removeprefix("/crm").strip() if line.startswith("/crm") else line
        if line.startswith("/") and not line.startswith("/crm"):
            self._say("Only /crm is known here; try /crm help.")
            return
        self._n += 1
        body = slash_command_body(
            text=text,
            user_id=self.who.user_id,
            channel_id=self.who.channel_id,
            response_url=self.slack.response_url(f"cmd{self._n}"),
            team_id=self.who.team_id,
            trigger_id=self.who.trigger_id(),
        )
        answer = await self._post(body)
        await self._settle(answer, read)

    async def _press(self, number: int, read: Reader) -> None:
        if not 1 <= number <= len(self.buttons):
            self._say(f"There is no button {number}.")
            return
        pressed, message = self.buttons[number - 1]
        self._n += 1
        payload = payloads.block_actions(
            self.who,
            pressed,
            message=message,
            response_url=self.slack.response_url(f"btn{self._n}"),
        )
        await self._settle(await self._post(interaction_body(payload)), read)

    async def submit_view(self, view: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
        payload = payloads.view_submission(self.who, view, values)
        return await self._post(interaction_body(payload))

    async def suggest(
        self, view: dict[str, Any], block_id: str, action_id: str, value: str
    ) -> list[dict[str, Any]]:
        payload = payloads.block_suggestion(
            self.who, view, block_id=block_id, action_id=action_id, value=value
        )
        answer = await self._post(interaction_body(payload))
        return list(answer.get("options") or [])

    async def _post(
        self, body: str, *, content_type: str = "application/x-www-form-urlencoded"
    ) -> dict[str, Any]:
        secret = self.container.settings.slack_signing_secret or ""
        headers = {**sign_request(secret, body), "Content-Type": content_type}
        async with self._http.post(self._url, data=body.encode(), headers=headers) as resp:
            raw = await resp.text()
            if resp.status >= 400:
                self._say(f"(the app answered HTTP {resp.status})")
                return {}
        try:
            parsed = json.loads(raw) if raw.strip().startswith("{") else {}
        except json.JSONDecodeError:
            return {}
        return parsed if isinstance(parsed, dict) else {}

    async def _settle(self, answer: dict[str, Any], read: Reader) -> None:
        """Show the ack's reply, then whatever else arrives until things go quiet."""
        self.buttons = []
        answered = bool(answer.get("text") or answer.get("blocks"))
        if answered:
            self._show(answer)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + PATIENCE
        quiet_since = loop.time()
        # an empty ack means the reply comes later: wait for it before going quiet
        while loop.time() < deadline and (not answered or loop.time() < quiet_since + IDLE):
            await asyncio.sleep(0.05)
            if await self._news(read):
                answered, quiet_since = True, loop.time()

    async def _news(self, read: Reader) -> bool:
        fresh = self.slack.messages[self._seen_messages :]
        self._seen_messages += len(fresh)
        for message in fresh:
            self._show({"text": message.text, "blocks": message.blocks, "ts": message.ts})
        calls = self.slack.calls[self._seen_calls :]
        self._seen_calls += len(calls)
        for call in calls:
            if call.method in ("views.open", "views.push") and call.error is None:
                await fill_view(self, call.args.get("view") or {}, read)
            if call.method == "views.publish" and call.error is None:
                self._show(call.args.get("view") or {})  # the Home; its buttons press as usual
        return bool(fresh or calls)

    def _show(self, message: dict[str, Any]) -> None:
        text, buttons = render(
            list(message.get("blocks") or []), str(message.get("text") or ""), len(self.buttons) + 1
        )
        self.buttons += [(b, message) for b in buttons]
        self._say(text)

    def _say(self, text: str) -> None:
        print(text, file=self.out, flush=True)
