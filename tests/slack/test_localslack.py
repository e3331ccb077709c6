"""The local stand-in of Slack's Web API, driven by slack_sdk's real async clients."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

import aiohttp
import pytest
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.localslack import (
    LocalSlack,
    interaction_body,
    sign_request,
    slash_command_body,
)
from bot.localslack_limits import check_message, check_view

WINTER = datetime(2026, 1, 15, 12, 0, tzinfo=UTC).timestamp()


@pytest.fixture
async def slack() -> AsyncIterator[LocalSlack]:
    async with LocalSlack(clock=lambda: WINTER) as local:
        yield local


@pytest.fixture
def client(slack: LocalSlack) -> AsyncWebClient:
    return AsyncWebClient(token="xoxb-test", base_url=slack.api_url)


def section(text: str = "hello") -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def button(label: str = "Done", **extra: str) -> dict[str, Any]:
    element = {"type": "button", "text": {"type": "plain_text", "text": label}, "action_id": "a"}
    return {"type": "actions", "elements": [element | extra]}


def modal(blocks: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Log"},
        "blocks": blocks,
    } | extra


async def test_post_message_records_the_call_and_answers_a_fresh_ts(
    slack: LocalSlack, client: AsyncWebClient
) -> None:
    first = await client.chat_postMessage(channel="C1", text="hi", blocks=[section()])
    second = await client.chat_postMessage(channel="C1", text="again")

    assert first["ok"] and first["channel"] == "C1"
    assert first["ts"] != second["ts"]
    assert first["message"]["blocks"] == [section()]
    [call, _] = slack.calls_to("chat.postMessage")
    assert call.token == "xoxb-test"
    assert call.args["blocks"] == [section()] and call.error is None
    assert [(m.channel, m.ts, m.text) for m in slack.messages] == [
        ("C1", first["ts"], "hi"),
        ("C1", second["ts"], "again"),
    ]
    assert not slack.violations


async def test_form_encoded_calls_and_token_in_the_body_are_understood(slack: LocalSlack) -> None:
    form = {"token": "xoxb-form", "channel": "C9", "text": "x", "blocks": json.dumps([section()])}
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{slack.api_url}chat.postMessage", data=form) as response:
            answer = await response.json()

    assert answer["ok"] is True
    [call] = slack.calls_to("chat.postMessage")
    assert call.token == "xoxb-form"
    assert call.args == {"channel": "C9", "text": "x", "blocks": [section()]}


async def test_auth_test_describes_the_bot(client: AsyncWebClient) -> None:
    answer = await client.auth_test()

    assert answer["user_id"] == "UBOT" and answer["team_id"] == "T0001"
    assert answer["bot_id"] and answer["team"] and answer["user"]
    assert answer["url"].startswith("https://")


async def test_a_bad_token_and_an_unknown_method_are_refused(slack: LocalSlack) -> None:
    strict = LocalSlack(tokens=["xoxb-only"])
    async with strict:
        with pytest.raises(SlackApiError) as refused:
            await AsyncWebClient(token="xoxb-other", base_url=strict.api_url).auth_test()
        ok = await AsyncWebClient(token="xoxb-only", base_url=strict.api_url).auth_test()
    with pytest.raises(SlackApiError) as unknown:
        await AsyncWebClient(token="xoxb-test", base_url=slack.api_url).api_call("pins.add")
    with pytest.raises(SlackApiError) as anonymous:
        await AsyncWebClient(base_url=slack.api_url).auth_test()

    assert refused.value.response["error"] == "invalid_auth"
    assert ok["ok"] is True
    assert unknown.value.response["error"] == "unknown_method"
    assert anonymous.value.response["error"] == "invalid_auth"


async def test_an_over_long_button_label_is_refused_and_recorded(
    slack: LocalSlack, client: AsyncWebClient
) -> None:
    with pytest.raises(SlackApiError) as refused:
        await client.chat_postMessage(channel="C1", text="x", blocks=[button("L" * 76)])

    assert refused.value.response["error"] == "invalid_blocks"
    assert refused.value.response["errors"] == [
        "blocks[0].elements[0].text.text: 76 long, at most 75"
    ]
    assert slack.violations == [f"chat.postMessage: {refused.value.response['errors'][0]}"]
    assert slack.messages == []
    assert slack.calls_to("chat.postMessage")[0].error == "invalid_blocks"


async def test_a_message_of_51_blocks_is_refused_and_of_50_accepted(
    slack: LocalSlack, client: AsyncWebClient
) -> None:
    await client.chat_postMessage(channel="C1", text="x", blocks=[section()] * 50)
    assert not slack.violations

    with pytest.raises(SlackApiError) as refused:
        await client.chat_postMessage(channel="C1", text="x", blocks=[section()] * 51)

    assert refused.value.response["error"] == "invalid_blocks"
    assert slack.violations == ["chat.postMessage: blocks: 51 blocks, at most 50"]
    assert len(slack.messages) == 1


async def test_a_message_without_content_is_refused_as_no_text(
    slack: LocalSlack, client: AsyncWebClient
) -> None:
    with pytest.raises(SlackApiError) as refused:
        await client.api_call("chat.update", json={"channel": "C1", "ts": "1.000001"})

    assert refused.value.response["error"] == "no_text"
    assert slack.violations == ["chat.update: no text, blocks or attachments"]


async def test_views_open_refuses_101_blocks_and_views_keep_their_id(
    slack: LocalSlack, client: AsyncWebClient
) -> None:
    with pytest.raises(SlackApiError) as refused:
        await client.views_open(trigger_id="t1", view=modal([section()] * 101))
    assert refused.value.response["error"] == "invalid_arguments"
    assert slack.violations == ["views.open: view.blocks: 101 blocks, at most 100"]

    opened = await client.views_open(trigger_id="t1", view=modal([section()] * 100))
    view_id = opened["view"]["id"]
    updated = await client.views_update(view_id=view_id, view=modal([section("2")]))
    pushed = await client.views_push(trigger_id="t2", view=modal([section("3")]))
    home = {"type": "home", "blocks": [section()]}
    published = await client.views_publish(user_id="U1", view=home)

    assert view_id.startswith("V") and updated["view"]["id"] == view_id
    assert pushed["view"]["id"] not in (view_id, published["view"]["id"])
    assert published["view"]["type"] == "home"
    assert slack.calls_to("views.update")[0].args["view"]["blocks"] == [section("2")]
    assert len(slack.violations) == 1


async def test_users_info_answers_the_seeded_user_with_zone_and_offset(
    slack: LocalSlack, client: AsyncWebClient
) -> None:
    slack.users["U1"] = {"tz": "Europe/Paris", "real_name": "Ada L", "email": "ada@example.com"}

    user = (await client.users_info(user="U1"))["user"]
    with pytest.raises(SlackApiError) as missing:
        await client.users_info(user="U404")

    assert user["tz"] == "Europe/Paris" and user["tz_offset"] == 3600
    assert user["real_name"] == "Ada L" and user["profile"]["email"] == "ada@example.com"
    assert missing.value.response["error"] == "user_not_found"


async def test_direct_messages_permalinks_ephemerals_updates_and_deletes(
    slack: LocalSlack, client: AsyncWebClient
) -> None:
    dm = (await client.conversations_open(users="U1"))["channel"]["id"]
    posted = await client.chat_postMessage(channel="U1", text="to a user")
    link = await client.chat_getPermalink(channel=dm, message_ts=posted["ts"])
    ephemeral = await client.chat_postEphemeral(channel="C1", user="U1", text="only you")
    await client.chat_update(channel=dm, ts=posted["ts"], text="edited")
    deleted = await client.chat_delete(channel=dm, ts=posted["ts"])

    assert dm.startswith("D") and posted["channel"] == dm
    assert link["permalink"].endswith(f"/archives/{dm}/p{posted['ts'].replace('.', '')}")
    assert ephemeral["message_ts"] not in (posted["ts"], None)
    assert deleted["ts"] == posted["ts"]
    assert [(m.method, m.text, m.user) for m in slack.messages] == [
        ("chat.postMessage", "to a user", None),
        ("chat.postEphemeral", "only you", "U1"),
        ("chat.update", "edited", None),
    ]


async def test_fail_next_429_surfaces_as_slack_api_error_with_retry_after(
    slack: LocalSlack, client: AsyncWebClient
) -> None:
    slack.fail_next("chat.postMessage", status=429, retry_after=7)

    with pytest.raises(SlackApiError) as limited:
        await client.chat_postMessage(channel="C1", text="x")
    retried = await client.chat_postMessage(channel="C1", text="x")

    assert limited.value.response.status_code == 429
    assert limited.value.response.headers["Retry-After"] == "7"
    assert limited.value.response["error"] == "ratelimited"
    assert retried["ok"] is True
    assert [call.error for call in slack.calls_to("chat.postMessage")] == ["ratelimited", None]
    assert len(slack.messages) == 1


async def test_fail_next_500_fails_once(slack: LocalSlack, client: AsyncWebClient) -> None:
    slack.fail_next("users.info", status=500)
    slack.users["U1"] = {"tz": "UTC"}

    with pytest.raises(SlackApiError) as failed:
        await client.users_info(user="U1")

    assert failed.value.response.status_code == 500
    assert "Retry-After" not in failed.value.response.headers
    assert (await client.users_info(user="U1"))["user"]["tz_offset"] == 0


async def test_response_url_posts_are_recorded_checked_and_limited(slack: LocalSlack) -> None:
    url = slack.response_url("cmd1")
    webhook = AsyncWebhookClient(url)

    sent = await webhook.send(text="done", blocks=[section()], response_type="ephemeral")
    refused = await webhook.send(text="x", blocks=[button("L" * 76)])
    for _ in range(3):
        await webhook.send(text="again")
    sixth = await webhook.send(text="too many")

    assert url.startswith(slack.api_url.removesuffix("api/"))
    assert (sent.status_code, sent.body) == (200, "ok")
    assert (refused.status_code, refused.body) == (400, "invalid_blocks")
    assert sixth.status_code == 404
    [first, *_] = slack.calls_to("response_url")
    assert first.args == {"text": "done", "blocks": [section()], "response_type": "ephemeral"}
    assert slack.messages[0].response_url == "cmd1" and slack.messages[0].blocks == [section()]
    assert len(slack.messages) == 4
    assert [v.split(":")[0] for v in slack.violations] == ["response_url", "response_url"]


async def test_fail_next_applies_to_response_urls(slack: LocalSlack) -> None:
    slack.fail_next("response_url", status=500)

    failed = await AsyncWebhookClient(slack.response_url("r")).send(text="x")

    assert failed.status_code == 500
    assert slack.messages == []


async def test_wait_for_returns_once_the_calls_arrived(
    slack: LocalSlack, client: AsyncWebClient
) -> None:
    async def later() -> None:
        await asyncio.sleep(0.05)
        await client.chat_postMessage(channel="C1", text="1")
        await client.chat_postMessage(channel="C1", text="2")

    task = asyncio.create_task(later())
    calls = await slack.wait_for("chat.postMessage", 2, timeout=2)
    await task

    assert [call.args["text"] for call in calls] == ["1", "2"]
    with pytest.raises(TimeoutError, match=r"chat\.delete"):
        await slack.wait_for("chat.delete", timeout=0.05)


async def test_a_started_slack_gives_urls_only_while_running() -> None:
    local = LocalSlack()
    with pytest.raises(RuntimeError):
        _ = local.api_url
    await local.start()
    url = local.api_url
    await local.stop()

    assert url.startswith("http://127.0.0.1:") and url.endswith("/api/")


def test_signed_slash_command_verifies_with_slack_sdk() -> None:
    body = slash_command_body(
        text="health Acme", user_id="U1", channel_id="C1", response_url="http://x/respond/1"
    )
    headers = sign_request("s3cret", body, timestamp=1_700_000_000)
    fresh = sign_request("s3cret", body)

    fields = {key: values[0] for key, values in parse_qs(body).items()}
    assert set(fields) == {
        "token", "team_id", "team_domain", "channel_id", "channel_name", "user_id",
        "user_name", "command", "text", "api_app_id", "response_url", "trigger_id",
    }  # fmt: skip
    assert fields["command"] == "/crm" and fields["text"] == "health Acme"
    assert fields["team_id"] == "T0001" and fields["trigger_id"]
    assert headers["X-Slack-Request-Timestamp"] == "1700000000"
    assert SignatureVerifier("s3cret").is_valid_request(body, fresh)
    assert not SignatureVerifier("other").is_valid_request(body, fresh)
    assert not SignatureVerifier("s3cret").is_valid_request(body + "x", fresh)


def test_interaction_body_is_a_form_encoded_payload() -> None:
    payload = {"type": "block_actions", "user": {"id": "U1"}, "actions": [{"action_id": "a"}]}

    body = interaction_body(payload)

    assert list(parse_qs(body)) == ["payload"]
    assert json.loads(parse_qs(body)["payload"][0]) == payload


def _select(options: int = 1, text: int = 1, value: int = 1) -> dict[str, Any]:
    option = {"text": {"type": "plain_text", "text": "t" * text}, "value": "v" * value}
    element = {"type": "static_select", "action_id": "s", "options": [option] * options}
    return {"type": "section", "text": {"type": "mrkdwn", "text": "x"}, "accessory": element}


def _input(label: int) -> dict[str, Any]:
    element = {"type": "plain_text_input", "action_id": "n"}
    return {
        "type": "input",
        "label": {"type": "plain_text", "text": "l" * label},
        "element": element,
    }


def _fields(count: int, size: int = 1) -> dict[str, Any]:
    return {"type": "section", "fields": [{"type": "mrkdwn", "text": "f" * size}] * count}


def _context(count: int) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * count}


MESSAGE_LIMITS: list[tuple[str, int, Callable[[int], dict[str, Any]]]] = [
    ("text", 40_000, lambda n: {"text": "t" * n}),
    ("section text", 3000, lambda n: {"blocks": [section("s" * n)]}),
    ("section fields", 10, lambda n: {"blocks": [_fields(n)]}),
    ("section field text", 2000, lambda n: {"blocks": [_fields(1, n)]}),
    ("button text", 75, lambda n: {"blocks": [button("b" * n)]}),
    ("button value", 2000, lambda n: {"blocks": [button(value="v" * n)]}),
    ("action_id", 255, lambda n: {"blocks": [button(action_id="a" * n)]}),
    ("block_id", 255, lambda n: {"blocks": [section() | {"block_id": "b" * n}]}),
    (
        "header",
        150,
        lambda n: {"blocks": [{"type": "header", "text": {"type": "plain_text", "text": "h" * n}}]},
    ),
    ("context elements", 10, lambda n: {"blocks": [_context(n)]}),
    (
        "actions elements",
        25,
        lambda n: {"blocks": [button() | {"elements": button()["elements"] * n}]},
    ),
    ("options", 100, lambda n: {"blocks": [_select(options=n)]}),
    ("option text", 75, lambda n: {"blocks": [_select(text=n)]}),
    ("option value", 150, lambda n: {"blocks": [_select(value=n)]}),
]

VIEW_LIMITS: list[tuple[str, int, Callable[[int], dict[str, Any]]]] = [
    ("title", 24, lambda n: modal([section()], title={"type": "plain_text", "text": "t" * n})),
    ("submit", 24, lambda n: modal([section()], submit={"type": "plain_text", "text": "s" * n})),
    ("close", 24, lambda n: modal([section()], close={"type": "plain_text", "text": "c" * n})),
    ("private_metadata", 3000, lambda n: modal([section()], private_metadata="m" * n)),
    ("callback_id", 255, lambda n: modal([section()], callback_id="c" * n)),
    ("input label", 2000, lambda n: modal([_input(n)])),
    ("blocks", 100, lambda n: modal([section()] * n)),
]


@pytest.mark.parametrize(
    ("name", "limit", "build"), MESSAGE_LIMITS, ids=[m[0] for m in MESSAGE_LIMITS]
)
def test_a_message_at_a_limit_passes_and_one_past_it_fails(
    name: str, limit: int, build: Callable[[int], dict[str, Any]]
) -> None:
    assert check_message(build(limit)) == []
    assert check_message(build(limit + 1)) != []


@pytest.mark.parametrize(("name", "limit", "build"), VIEW_LIMITS, ids=[v[0] for v in VIEW_LIMITS])
def test_a_view_at_a_limit_passes_and_one_past_it_fails(
    name: str, limit: int, build: Callable[[int], dict[str, Any]]
) -> None:
    assert check_view(build(limit)) == []
    assert check_view(build(limit + 1)) != []


@pytest.mark.parametrize(
    "block",
    [
        {"type": "section", "text": "a bare string"},
        {"type": "section", "text": {"type": "mrkdwn", "text": ""}},
        {"type": "header", "text": {"type": "mrkdwn", "text": "*bold*"}},
        {"type": "no_such_block"},
        {"text": "no type"},
    ],
    ids=["bare-string-text", "empty-text", "mrkdwn-header", "unknown-type", "no-type"],
)
def test_malformed_blocks_are_refused(block: dict[str, Any]) -> None:
    assert check_message({"text": "x", "blocks": [block]}) != []


async def test_a_bolt_app_runs_a_signed_slash_command_against_it(slack: LocalSlack) -> None:
    app = AsyncApp(
        client=AsyncWebClient(token="xoxb-test", base_url=slack.api_url), signing_secret="s3cret"
    )

    @app.command("/crm")
    async def crm(ack: Any, respond: Any, command: dict[str, Any]) -> None:
        await ack()
        await respond(text=f"you said {command['text']}", blocks=[section("*ok*")])

    body = slash_command_body(
        text="tasks", user_id="U1", channel_id="C1", response_url=slack.response_url("c1")
    )
    request = AsyncBoltRequest(body=body, headers=sign_request("s3cret", body))
    response = await app.async_dispatch(request)
    [call] = await slack.wait_for("response_url")

    assert response.status == 200
    assert call.args["text"] == "you said tasks"
    assert slack.messages[-1].blocks == [section("*ok*")]
    assert slack.calls_to("auth.test") and not slack.violations
