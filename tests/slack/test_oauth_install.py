"""Installing into several workspaces: Bolt's OAuth flow, one token per workspace.

The whole install runs through the real aiohttp app: ``/slack/install`` issues a state
(cookie and database), Slack's consent screen is the stand-in's ``grant()``, and
``/slack/oauth_redirect`` exchanges the code at the stand-in's ``oauth.v2.access``. Then
each workspace's commands and scheduled messages must carry that workspace's own token,
and a workspace outside CRMBOT_ALLOWED_TEAMS can neither install nor be answered.
"""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest
import yaml
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select, text

from bot.bootstrap import Container, build
from bot.localslack import LocalSlack
from bot.localslack_oauth import CLIENT_ID, CLIENT_SECRET
from bot.slack.middleware import REFUSAL
from bot.slack.oauth import BOT_SCOPES, NOT_INSTALLED
from domain.model import OutboxMessage
from schedulers.jobs import run_job
from storage.models import UserRow, slack_bots
from tests.conftest import FixedClock, make_settings
from tests.slack.conftest import SlackUser, start_app

OAUTH = {
    "SLACK_BOT_TOKEN": None,
    "SLACK_CLIENT_ID": CLIENT_ID,
    "SLACK_CLIENT_SECRET": CLIENT_SECRET,
    "CRMBOT_ALLOWED_TEAMS": "T1, T2,T4",
}


class Browser:
    """An admin's browser: opens the install page, keeps its cookie, follows Slack back."""

    def __init__(self, http: aiohttp.ClientSession, base: str, slack: LocalSlack) -> None:
        self.http, self.base, self.slack = http, base, slack

    async def install(self, team: str) -> tuple[int, str]:
        async with self.http.get(f"{self.base}/slack/install") as page:
            assert page.status == 200
            html = await page.text()
            cookie = page.headers["Set-Cookie"].split(";")[0]
        authorize = re.search(r'href="(https://slack\.com/oauth/v2/authorize\?[^"]+)"', html)
        assert authorize is not None, html
        query = parse_qs(urlsplit(authorize.group(1).replace("&amp;", "&")).query)
        assert query["client_id"] == [CLIENT_ID]
        assert query["scope"] == [",".join(BOT_SCOPES)]
        state = query["state"][0]
        assert cookie == f"slack-app-oauth-state={state}"
        code = self.slack.oauth.grant(team)  # the admin pressed "Allow" on Slack's page
        redirect = f"{self.base}/slack/oauth_redirect?code={code}&state={state}"
        async with self.http.get(redirect, headers={"Cookie": cookie}) as back:
            return back.status, await back.text()


@pytest.fixture
async def oauth_app(
    database_url: str, clock: FixedClock, slack: LocalSlack
) -> AsyncIterator[tuple[Container, SlackUser, Browser]]:
    container = build(
        make_settings(database_url, SLACK_API_URL=slack.api_url, **OAUTH), clock=clock
    )
    runner, base = await start_app(container)
    try:
        async with aiohttp.ClientSession() as http:
            yield container, SlackUser(http, base, slack), Browser(http, base, slack)
    finally:
        await runner.cleanup()
        await container.close()


async def _bots(container: Container) -> dict[str, str]:
    async with container.engine.connect() as conn:
        rows = await conn.execute(select(slack_bots.c.team_id, slack_bots.c.bot_token))
        return {team: token for team, token in rows}


async def _user_teams(container: Container) -> dict[str, str | None]:
    async with container.engine.connect() as conn:
        rows = await conn.execute(select(UserRow.slack_user_id, UserRow.slack_team_id))
        return {user: team for user, team in rows}


def _tokens(slack: LocalSlack, method: str, **match: Any) -> list[str | None]:
    calls = slack.calls_to(method)
    return [c.token for c in calls if all(c.args.get(k) == v for k, v in match.items())]


async def test_two_workspaces_install_and_each_is_answered_with_its_own_token(
    oauth_app: tuple[Container, SlackUser, Browser], slack: LocalSlack
) -> None:
    container, user, browser = oauth_app
    slack.users |= {"U1ANN": {"real_name": "Ann"}, "U2BOB": {"real_name": "Bob"}}
    for team in ("T1", "T2"):
        status, page = await browser.install(team)
        assert status == 200, page
    bots = await _bots(container)
    assert set(bots) == {"T1", "T2"}
    t1, t2 = bots["T1"], bots["T2"]
    assert (t1, t2) == (slack.oauth.tokens_of("T1")[0], slack.oauth.tokens_of("T2")[0])
    async with container.engine.connect() as conn:  # each state was used up
        assert (await conn.execute(text("SELECT count(*) FROM slack_oauth_states"))).scalar() == 0

    assert (await user.command("tasks", user="U1ANN", team_id="T1"))[0] == 200
    await slack.wait_for("response_url")
    assert (await user.command("log", user="U2BOB", team_id="T2"))[0] == 200
    await slack.wait_for("views.open")
    assert (await user.command("tasks", user="U2BOB", team_id="T2"))[0] == 200
    await slack.wait_for("response_url", 2)

    assert set(_tokens(slack, "users.info", user="U1ANN")) == {t1}  # first contact
    assert set(_tokens(slack, "users.info", user="U2BOB")) == {t2}
    assert _tokens(slack, "views.open") == [t2]
    assert set(_tokens(slack, "auth.test")) == {t1, t2}
    assert (await _user_teams(container)) == {"U1ANN": "T1", "U2BOB": "T2"}

    # a scheduled direct message goes with the token of the recipient's workspace
    async with container.uow() as uow:
        for to in ("U1ANN", "U2BOB"):
            await uow.outbox.enqueue(
                OutboxMessage(key=f"hello:{to}", channel=to, payload={"text": "Hello"}),
                now=container.clock(),
            )
        await uow.commit()
    await run_job(container, "outbox", now=container.clock())
    await slack.wait_for("chat.postMessage", 2)  # or the drain a command started sent them
    assert _tokens(slack, "chat.postMessage", channel="U1ANN") == [t1]
    assert _tokens(slack, "chat.postMessage", channel="U2BOB") == [t2]


async def test_a_workspace_not_allowed_can_neither_install_nor_be_answered(
    oauth_app: tuple[Container, SlackUser, Browser], slack: LocalSlack
) -> None:
    container, user, browser = oauth_app
    status, page = await browser.install("T3")
    assert status == 403 and "isn't enabled for this workspace" in page
    assert await _bots(container) == {}
    issued = slack.oauth.tokens_of("T3")
    assert issued and slack.oauth.token_error(issued[0]) == "token_revoked"  # given back

    calls = len(slack.calls)
    status, reply = await user.command("tasks", user="U3EVE", team_id="T3")
    assert status == 200 and reply["text"] == REFUSAL
    assert len(slack.calls) == calls  # not one Web API call, no token looked up
    assert await _user_teams(container) == {}

    # allowed but never installed: told so, and nothing is done either
    assert (await user.command("tasks", user="U4FAY", team_id="T4"))[0] == 200
    await slack.wait_for("response_url")
    assert [m.text for m in slack.messages] == [NOT_INSTALLED]
    assert await _user_teams(container) == {}


async def test_an_install_without_its_state_cookie_is_refused(
    oauth_app: tuple[Container, SlackUser, Browser], slack: LocalSlack
) -> None:
    container, _, browser = oauth_app
    code = slack.oauth.grant("T1")
    async with browser.http.get(f"{browser.base}/slack/oauth_redirect?code={code}&state=x") as r:
        assert r.status == 400
    assert await _bots(container) == {}
    assert slack.calls_to("oauth.v2.access") == []


async def test_a_user_of_no_known_workspace_is_written_to_through_the_only_one(
    oauth_app: tuple[Container, SlackUser, Browser], slack: LocalSlack
) -> None:
    container, _, browser = oauth_app
    assert (await browser.install("T2"))[0] == 200
    async with container.uow() as uow:  # e.g. imported from users.csv, never used crmbot
        message = OutboxMessage(key="imported", channel="U0NEW", payload={"text": "Hi"})
        await uow.outbox.enqueue(message, now=container.clock())
        await uow.commit()
    await run_job(container, "outbox", now=container.clock())
    assert _tokens(slack, "chat.postMessage") == [(await _bots(container))["T2"]]

    assert (await browser.install("T1"))[0] == 200  # two workspaces: no guessing
    async with container.uow() as uow:
        message = OutboxMessage(key="imported2", channel="U0NEW", payload={"text": "Hi"})
        await uow.outbox.enqueue(message, now=container.clock())
        await uow.commit()
    outcome = await run_job(container, "outbox", now=container.clock())
    assert outcome.counts["failed"] == 1
    assert [c.error for c in slack.calls_to("chat.postMessage")] == [None, "invalid_auth"]


@pytest.fixture
def shifted() -> list[float]:
    return [0.0]


@pytest.fixture
async def slack(shifted: list[float]) -> AsyncIterator[LocalSlack]:
    """The stand-in on a clock the test can move forward (token expiry)."""
    async with LocalSlack(clock=lambda: time.time() + shifted[0]) as stand_in:
        yield stand_in


async def test_an_expired_token_is_refreshed_before_it_is_used(
    oauth_app: tuple[Container, SlackUser, Browser], slack: LocalSlack, shifted: list[float]
) -> None:
    container, user, browser = oauth_app
    slack.users["U1ANN"] = {"real_name": "Ann"}
    slack.oauth.expires_in = 3600  # token rotation on: tokens last an hour
    assert (await browser.install("T1"))[0] == 200
    first = (await _bots(container))["T1"]
    shifted[0] = 2 * 3600  # two hours later, Slack refuses the first token
    assert slack.oauth.token_error(first) == "token_expired"

    assert (await user.command("tasks", user="U1ANN", team_id="T1"))[0] == 200
    await slack.wait_for("response_url")
    refreshes = [c for c in slack.calls_to("oauth.v2.access") if c.args.get("refresh_token")]
    assert len(refreshes) == 1 and refreshes[0].error is None
    second = (await _bots(container))["T1"]
    assert second != first and slack.oauth.token_error(second) is None
    assert set(_tokens(slack, "users.info", user="U1ANN")) == {second}

    # the outbox refreshes too: no request needs to come first
    shifted[0] = 4 * 3600
    async with container.uow() as uow:
        message = OutboxMessage(key="later", channel="U1ANN", payload={"text": "Later"})
        await uow.outbox.enqueue(message, now=container.clock())
        await uow.commit()
    await run_job(container, "outbox", now=container.clock())
    await slack.wait_for("chat.postMessage")  # or the drain the command started sent it
    third = (await _bots(container))["T1"]
    assert third not in (first, second)
    assert _tokens(slack, "chat.postMessage", channel="U1ANN") == [third]
    assert [c.error for c in slack.calls_to("chat.postMessage")] == [None]


def test_the_install_asks_for_the_scopes_the_manifest_declares() -> None:
    manifest = yaml.safe_load((Path(__file__).parents[2] / "manifest.yml").read_text())
    assert tuple(manifest["oauth_config"]["scopes"]["bot"]) == BOT_SCOPES
    assert manifest["oauth_config"]["redirect_urls"][0].endswith("/slack/oauth_redirect")


async def test_without_a_client_id_there_is_no_install_and_the_one_token_answers(
    user: SlackUser, slack: LocalSlack
) -> None:
    async with user.http.get(f"{user.base}/slack/install") as page:
        assert page.status == 404 and "SLACK_CLIENT_ID" in await page.text()
    slack.users["U1ANN"] = {"real_name": "Ann"}
    assert (await user.command("tasks", user="U1ANN"))[0] == 200
    await slack.wait_for("response_url")
    assert set(_tokens(slack, "users.info")) == {"xoxb-test-token"}


async def test_the_stand_in_exchanges_each_code_and_refresh_token_once(slack: LocalSlack) -> None:
    client = AsyncWebClient(base_url=slack.api_url)
    code = slack.oauth.grant("T1")
    with pytest.raises(SlackApiError, match="invalid_client_id"):
        await client.oauth_v2_access(client_id=CLIENT_ID, client_secret="wrong", code=code)
    slack.oauth.expires_in = 60
    first = await client.oauth_v2_access(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, code=code
    )
    assert first["team"]["id"] == "T1" and first["token_type"] == "bot"
    with pytest.raises(SlackApiError, match="invalid_code"):
        await client.oauth_v2_access(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, code=code)
    refresh = {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    second = await client.oauth_v2_access(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, **refresh
    )
    assert second["access_token"] != first["access_token"]
    with pytest.raises(SlackApiError, match="invalid_refresh_token"):
        await client.oauth_v2_access(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, **refresh)
    whoami = await client.auth_test(token=second["access_token"])
    assert (whoami["team_id"], whoami["user_id"]) == ("T1", first["bot_user_id"])
