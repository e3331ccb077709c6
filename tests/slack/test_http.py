"""Signed requests through the real aiohttp app and Bolt listeners."""

from __future__ import annotations

import time

import aiohttp
import pytest

from bot.bootstrap import Container
from bot.localslack import LocalSlack, sign_request
from bot.slack.middleware import REFUSAL
from tests.slack.conftest import SECRET, SlackUser


def _texts(answer: dict[str, object]) -> str:
    blocks = answer.get("blocks") or []
    assert isinstance(blocks, list)
    return "\n".join(str(b.get("text", {}).get("text", "")) for b in blocks)


async def test_signed_help_gets_the_usage(user: SlackUser, slack: LocalSlack) -> None:
    status, answer = await user.command("help")
    assert status == 200
    assert answer["response_type"] == "ephemeral"
    assert "/crm log TYPE CLIENT: NOTES [| WHEN]" in _texts(answer)
    assert not slack.violations


async def test_empty_command_is_help(user: SlackUser) -> None:
    status, answer = await user.command("")
    assert status == 200
    assert "/crm health CLIENT" in _texts(answer)


async def test_unsigned_and_stale_requests_are_refused(user: SlackUser) -> None:
    body = user.command_body("help")
    status, _ = await user.post(body, sign=False)
    assert status == 401
    stale = sign_request(SECRET, body, timestamp=int(time.time()) - 6 * 60)
    status, _ = await user.post(body, headers=stale, sign=False)
    assert status == 401
    forged = sign_request("not-our-secret", body)
    status, _ = await user.post(body, headers=forged, sign=False)
    assert status == 401


async def test_a_retry_is_not_handled_twice(user: SlackUser) -> None:
    body = user.command_body("help", trigger_id="1234.5678.retry")
    first_status, first = await user.post(body)
    again_status, again = await user.post(body, headers={"X-Slack-Retry-Num": "1"})
    assert first_status == again_status == 200
    assert "/crm log" in _texts(first)
    assert again in ("", {}), "a retry must be acknowledged without doing the work again"


async def test_bad_input_gets_a_helpful_reply(user: SlackUser, slack: LocalSlack) -> None:
    status, answer = await user.command("log phone <!channel> Co: hi")
    assert status == 200
    text = _texts(answer)
    assert "isn't an activity type" in text
    assert "<!channel>" not in text
    assert not slack.violations


@pytest.mark.parametrize("app_container", [{"CRMBOT_ALLOWED_TEAMS": "T0THER"}], indirect=True)
async def test_other_workspaces_are_refused(user: SlackUser) -> None:
    status, answer = await user.command("help")
    assert status == 200
    assert "isn't enabled for this workspace" in str(answer)


@pytest.mark.parametrize("app_container", [{"SLACK_APP_ID": "A0001"}], indirect=True)
async def test_requests_for_another_app_are_refused_and_change_nothing(
    user: SlackUser, slack: LocalSlack, app_container: Container
) -> None:
    status, answer = await user.command("help", api_app_id="A0THER")
    assert status == 200
    assert "isn't enabled for this workspace" in str(answer)
    status, answer = await user.command("log call Acme: spoofed", api_app_id="A0THER")
    assert (status, answer["text"]) == (200, REFUSAL)
    status, answer = await user.command("help", api_app_id="A0001")
    assert "/crm health CLIENT" in _texts(answer)
    async with app_container.uow() as uow:
        assert await uow.audit.list() == []
    assert not slack.calls_to("response_url")


async def test_control_characters_are_dropped_before_anything_reads_them(
    user: SlackUser, slack: LocalSlack, app_container: Container
) -> None:
    from tests.slack.chat_fixtures import reply, seed, text_of

    await seed(app_container, slack)
    status, _ = await user.command("health Northwind\x00 Supply\x1b[31m Co")
    assert status == 200
    assert "Northwind Supply" in text_of(await reply(slack))


async def test_health_and_metrics(user: SlackUser, app_container: Container) -> None:
    await user.command("help")
    async with user.http.get(f"{user.base}/healthz") as r:
        assert r.status == 200
        assert await r.json() == {"status": "ok"}
    async with user.http.get(f"{user.base}/metrics") as r:
        text = await r.text()
    assert 'crmbot_requests_total{kind="command",outcome="ok"} 1.0' in text
    assert "crmbot_ack_latency_seconds_bucket" in text


async def test_rest_prefix_needs_the_bearer_token(user: SlackUser) -> None:
    async with user.http.get(f"{user.base}/api/v1/clients/C1") as r:
        assert r.status == 401
        assert (await r.json())["error"]["code"] == "unauthorized"
    headers = {"Authorization": "Bearer wrong"}
    async with user.http.get(f"{user.base}/api/v1/clients/C1", headers=headers) as r:
        assert r.status == 401
    headers = {"Authorization": "Bearer test-api-token"}
    async with user.http.get(f"{user.base}/api/v1/nothing-here", headers=headers) as r:
        assert r.status == 404
        assert (await r.json())["error"]["code"] == "not_found"


async def test_healthz_reports_a_dead_database(tmp_path, clock) -> None:  # type: ignore[no-untyped-def]
    from bot.bootstrap import build
    from tests.conftest import make_settings
    from tests.slack.conftest import start_app

    missing = tmp_path / "no" / "such" / "dir" / "db.sqlite"
    container = build(make_settings(f"sqlite+aiosqlite:///{missing}"), clock=clock)
    runner, base = await start_app(container)
    try:
        async with aiohttp.ClientSession() as http, http.get(f"{base}/healthz") as r:
            assert r.status == 503
            assert (await r.json())["status"] == "unavailable"
    finally:
        await runner.cleanup()
        await container.close()
