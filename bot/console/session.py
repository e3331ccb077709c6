"""``crmbot console``: the real app on loopback, Slack replaced by the local stand-in.

Lines typed as ``/crm …`` are sent as signed slash commands to the same aiohttp app and
Bolt listeners that serve Slack; whatever the app answers (the ack, response_url posts,
messages, modals) is drawn as text. Buttons are pressed by number; modals are filled
field by field. Reads a terminal or piped input alike.
"""

from __future__ import annotations

import asyncio
import secrets
import sys
import tempfile
from contextlib import AsyncExitStack
from pathlib import Path
from typing import TextIO

from bot.bootstrap import Container, build
from bot.console.driver import Driver
from bot.console.payloads import Identity
from bot.localslack import LocalSlack
from bot.settings import Settings

BANNER = (
    "crmbot console — type /crm help (or just `help`), press a button by its number, "
    "`home` for your App Home, `quit` to leave."
)


async def run_console(
    settings: Settings,
    *,
    demo: bool,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
) -> int:
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    interactive = stdin.isatty()
    async with AsyncExitStack() as stack:
        url = settings.database_url
        if demo:
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="crmbot-demo-"))
            url = f"sqlite+aiosqlite:///{Path(folder) / 'demo.db'}"
        slack = await stack.enter_async_context(LocalSlack())
        local = settings.model_copy(
            update={
                "database_url": url,
                "slack_api_url": slack.api_url,
                "slack_signing_secret": secrets.token_hex(16),
                "slack_bot_token": "xoxb-console",
                "slack_app_token": None,
            }
        )
        container = build(local)
        stack.push_async_callback(container.close)
        await container.migrate()
        if demo:
            await _fill_demo(container, stdout)
        await _introduce_users(container, slack)
        who = await _identity(container)
        driver = await stack.enter_async_context(Driver(container, slack, who, out=stdout))
        if interactive:
            print(BANNER, f"(you are {who.user_name})", file=stdout)
        await _loop(driver, stdin, stdout, interactive=interactive)
    return 0


async def _loop(driver: Driver, stdin: TextIO, stdout: TextIO, *, interactive: bool) -> None:
    while True:
        if interactive:
            print("> ", end="", file=stdout, flush=True)
        line = await asyncio.to_thread(stdin.readline)
        if not line:
            return
        text = line.strip()
        if text in ("quit", "exit", "/quit"):
            return
        if text:
            await driver.handle(text, read=lambda: asyncio.to_thread(stdin.readline))


async def _fill_demo(container: Container, out: TextIO) -> None:
    from bot.demo_writer import write_demo

    await write_demo(container, clients=120, seed=1, quiet=True)


async def _introduce_users(container: Container, slack: LocalSlack) -> None:
    """The stand-in answers users.info as Slack would, from the users crmbot knows."""
    async with container.uow() as uow:
        users = await uow.users.list()
    for user in users:
        slack.users[user.slack_user_id] = {
            "real_name": user.name,
            "email": user.email,
            **({"tz": user.timezone} if user.timezone else {}),
        }


async def _identity(container: Container) -> Identity:
    """Who the console user is: the first rep if there is one, else a console user."""
    async with container.uow() as uow:
        users = await uow.users.list()
    reps = [u for u in users if u.role == "rep"] or list(users)
    if reps:
        return Identity(user_id=reps[0].slack_user_id, user_name=reps[0].name)
    return Identity(user_id="UCONSOLE", user_name="console")
