"""Tokens and signing secrets never reach a log line or a reply, even at DEBUG.

Every path that handles a secret runs once here with every logger at DEBUG: signed
commands and buttons, a badly signed request, REST calls with a wrong and a right token,
Slack failing a send and the outbox retrying it. Then the captured logs and every body
the app answered or sent are searched for each secret.
"""

from __future__ import annotations

import json
import logging

import pytest

from bot.bootstrap import Container
from bot.localslack import LocalSlack
from domain.model import OutboxMessage
from schedulers.jobs import run_job
from tests.slack.chat_fixtures import REP, button, click, reply, seed
from tests.slack.conftest import SECRET, SlackUser

BOT_TOKEN = "xoxb-test-token"
API_TOKEN = "test-api-token"
SECRETS = (BOT_TOKEN, SECRET, API_TOKEN)


async def test_no_secret_in_logs_or_answers(
    app_container: Container,
    slack: LocalSlack,
    user: SlackUser,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    await seed(app_container, slack)
    answers: list[object] = []

    answers.append((await user.command("log call Acme Industrial: asked about pricing"))[1])
    logged = await reply(slack)
    answers.append(
        (
            await user.interact(
                click(REP, button(logged, "Undo"), response_url=slack.response_url("u"))
            )
        )[1]
    )
    answers.append((await user.command("health Nowhere Ltd"))[1])
    answers.append((await user.post(user.command_body("help"), sign=False))[1])
    for token in ("wrong-token", API_TOKEN):
        async with user.http.get(
            f"{user.base}/api/v1/clients/C1/health",
            headers={"Authorization": f"Bearer {token}"},
        ) as answered:
            answers.append(await answered.text())

    async with app_container.uow() as uow:
        message = OutboxMessage(key="secret-test", channel=REP, payload={"text": "hello"})
        await uow.outbox.enqueue(message, now=app_container.clock())
        await uow.commit()
    slack.fail_next("chat.postMessage", status=500)
    await run_job(app_container, "outbox", now=app_container.clock())

    sent = json.dumps([call.args for call in slack.calls], default=str)
    said = json.dumps(answers, default=str)
    logs = caplog.text
    assert "Sending a request" in logs  # the Web API client did log at DEBUG
    for secret in SECRETS:
        assert secret not in logs, f"{secret!r} logged"
        assert secret not in said, f"{secret!r} in an answer"
        assert secret not in sent, f"{secret!r} sent to Slack in a body"
