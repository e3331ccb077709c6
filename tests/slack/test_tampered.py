"""Button values are never trusted: a value edited to name another quote, task or
activity is checked against the database and the person clicking, and changes nothing."""

from __future__ import annotations

import dataclasses
from typing import Any

from bot.bootstrap import Container
from bot.localslack import LocalSlack
from domain.chat.replies import APPROVE, DONE, SNOOZE, UNDO
from storage.models import ActivityRow, TaskRow
from tests.conftest import FixedClock
from tests.slack.approvals_kit import (
    MGR,
    deliver,
    get_quote,
    posts_to,
    press,
    pressed,
    put_quote,
    quote_body,
    read,
    seed_team,
    told,
)
from tests.slack.chat_fixtures import OTHER, REP, click, reply, rows, seed, text_of
from tests.slack.conftest import SlackUser


async def test_an_approve_value_edited_to_another_quote_changes_nothing(
    user: SlackUser, slack: LocalSlack, app_container: Container, clock: FixedClock
) -> None:
    await seed_team(app_container, slack)
    await put_quote(user, "Q-BIG", quote_body("60000", discount="12"))
    await put_quote(user, "Q-1", quote_body("12000"))
    await deliver(app_container, clock)
    big, small = sorted(posts_to(slack, MGR), key=lambda m: "Q-BIG" not in read(m))
    big_chain = pressed(big, APPROVE)["value"]
    await told(slack, await press(user, MGR, big, APPROVE))  # Q-BIG moves on to finance

    forged = dataclasses.replace(small, blocks=_with_value(small.blocks, APPROVE, big_chain))
    answer = await told(slack, await press(user, MGR, forged, APPROVE))
    assert "That level of quote *Q-BIG* was already decided" in answer, answer
    garbage = dataclasses.replace(
        small, blocks=_with_value(small.blocks, APPROVE, "1; DROP TABLE quotes")
    )
    answer = await told(slack, await press(user, MGR, garbage, APPROVE))
    assert "That button is broken" in answer, answer

    q_big, q_1 = await get_quote(user, "Q-BIG"), await get_quote(user, "Q-1")
    assert (q_big["status"], len(q_big["decisions"])) == ("pending_approval", 1)
    assert (q_1["status"], q_1["decisions"]) == ("pending_approval", [])


def _with_value(blocks: list[dict[str, Any]], action_id: str, value: str) -> list[dict[str, Any]]:
    changed = []
    for block in blocks:
        elements = [
            {**e, "value": value} if e.get("action_id") == action_id else e
            for e in block.get("elements") or []
        ]
        changed.append({**block, "elements": elements} if "elements" in block else block)
    return changed


async def test_task_and_activity_ids_of_someone_else_are_refused(
    user: SlackUser, slack: LocalSlack, app_container: Container
) -> None:
    await seed(app_container, slack)
    await user.command("task Acme Industrial: call back | tomorrow 3pm", user=REP)
    await user.command("log call Acme Industrial: asked about pricing", user=REP)
    await reply(slack, 2)
    [task] = await rows(app_container, TaskRow)
    [activity] = await rows(app_container, ActivityRow)
    before_tasks = [(t.status, t.remind_at, t.due_at) for t in await rows(app_container, TaskRow)]

    for n, (action_id, value) in enumerate(
        [(DONE, str(task.id)), (SNOOZE, str(task.id)), (UNDO, str(activity.id))]
    ):
        name = f"forged{n}"
        pressed_button = {"action_id": action_id, "value": value}
        status, _ = await user.interact(
            click(OTHER, pressed_button, response_url=slack.response_url(name))
        )
        assert status == 200
        answer = await _answer(slack, name)
        assert answer.startswith("Only the person"), answer

    after_tasks = [(t.status, t.remind_at, t.due_at) for t in await rows(app_container, TaskRow)]
    assert after_tasks == before_tasks
    [still] = await rows(app_container, ActivityRow)
    assert still.deleted_at is None


async def _answer(slack: LocalSlack, name: str) -> str:
    """What came back for a forged click: on its response_url, or as an ephemeral."""
    import asyncio

    for _ in range(200):
        found = [m for m in slack.messages if m.response_url == name]
        if found:
            return text_of({"text": found[-1].text, "blocks": found[-1].blocks})
        ephemeral = [c for c in slack.calls_to("chat.postEphemeral") if c.args.get("user") == OTHER]
        if ephemeral:
            return text_of(ephemeral[-1].args)
        await asyncio.sleep(0.02)
    raise AssertionError(f"no answer to {name}")
