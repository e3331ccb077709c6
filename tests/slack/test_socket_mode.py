"""``crmbot serve`` with ``SLACK_APP_TOKEN``: Socket Mode end to end, against the stand-in.

The server runs in-process; its Socket Mode client fetches a URL from the stand-in's
``apps.connections.open`` (through ``SLACK_API_URL``), connects, and answers the envelopes
the test pushes down the socket.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from bot.bootstrap import Container, build
from bot.localslack import LocalSlack, slash_command_body
from bot.serve import run_server
from tests.conftest import FixedClock, make_settings

USAGE = "/crm log TYPE CLIENT: NOTES [| WHEN]"
APP_TOKEN = "xapp-test"


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    # slack_sdk's Socket Mode client would send even a loopback WebSocket through a proxy
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def socket_container(
    database_url: str, clock: FixedClock, slack: LocalSlack
) -> AsyncIterator[Container]:
    settings = make_settings(database_url, SLACK_API_URL=slack.api_url, SLACK_APP_TOKEN=APP_TOKEN)
    container = build(settings, clock=clock)
    try:
        yield container
    finally:
        await container.close()


@asynccontextmanager
async def serving(container: Container) -> AsyncIterator[None]:
    """`crmbot serve --no-scheduler` in this process, stopped as a signal would stop it."""
    ready, stop = asyncio.Event(), asyncio.Event()
    server = asyncio.create_task(
        run_server(
            container, host="127.0.0.1", port=_free_port(), scheduler=False, ready=ready, stop=stop
        )
    )
    waiting = asyncio.create_task(ready.wait())
    await asyncio.wait({server, waiting}, timeout=30, return_when=asyncio.FIRST_COMPLETED)
    waiting.cancel()
    if server.done():
        server.result()  # raises what stopped it
    assert ready.is_set(), "serve did not get ready in 30 s"
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(server, 20)


def _help(slack: LocalSlack, n: int = 1) -> str:
    return slash_command_body(
        text="help",
        user_id="U0REP1",
        channel_id="C0GENERAL",
        response_url=slack.response_url(f"sm{n}"),
        trigger_id=f"sm.{n}.trigger",
    )


async def test_serve_answers_a_slash_command_over_socket_mode(
    socket_container: Container, slack: LocalSlack
) -> None:
    async with serving(socket_container):
        await slack.socket.wait_connected()
        [opened] = slack.calls_to("apps.connections.open")
        assert opened.token == APP_TOKEN and opened.error is None
        ack = await slack.socket.slash_command(body=_help(slack))
        assert ack.payload is not None
        assert USAGE in json.dumps(ack.payload)
        assert ack.payload.get("response_type") == "ephemeral"
    assert slack.socket.connected == 0, "stopping serve closes the socket"
    assert slack.violations == []


async def test_socket_mode_reconnects_when_slack_asks(
    socket_container: Container, slack: LocalSlack
) -> None:
    async with serving(socket_container):
        await slack.socket.wait_connected()
        await slack.socket.disconnect()
        await slack.socket.wait_connected(opened=2)
        assert len(slack.calls_to("apps.connections.open")) == 2, "a fresh URL for each socket"
        ack = await slack.socket.slash_command(body=_help(slack, 2))
        assert ack.payload is not None and USAGE in json.dumps(ack.payload)


async def test_the_stand_in_gives_socket_urls_to_app_tokens_only(slack: LocalSlack) -> None:
    from slack_sdk.errors import SlackApiError
    from slack_sdk.web.async_client import AsyncWebClient

    client = AsyncWebClient(token="xoxb-test-token", base_url=slack.api_url)
    with pytest.raises(SlackApiError, match="invalid_auth"):
        await client.apps_connections_open(app_token="xoxb-test-token")
    answer = await client.apps_connections_open(app_token=APP_TOKEN)
    assert str(answer["url"]).startswith("ws://127.0.0.1:")
    with pytest.raises(SlackApiError, match="invalid_auth"):
        await AsyncWebClient(token=APP_TOKEN, base_url=slack.api_url).auth_test()
