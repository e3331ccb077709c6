"""Arbitrary text into `/crm` and the log modal, through the real app: always a clear
answer within Block Kit's limits, never a traceback, never half-saved.

Hypothesis draws the text: unicode of every category (control characters included),
mrkdwn and HTML, SQL-looking strings, mentions and special mentions, up to 10 KB, after
each of the grammar's verbs. The app and the Slack stand-in are built once per test and
every example goes through signed HTTP requests like a real user's.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.bootstrap import Container
from bot.localslack import LocalSlack
from storage.models import ActivityRow, AuditRow, TaskRow
from tests.slack.chat_fixtures import REP, seed, text_of
from tests.slack.conftest import SlackUser

NASTY = [
    "<!channel>", "<!here|here>", "<@U0REP2>", "<#C123|general>", "<https://evil.example|click>",
    "*bold* _it_ ~s~ `code` ```block```", "<script>alert(1)</script>", "&amp; &lt; &gt;",
    "'; DROP TABLE clients; --", "\" OR 1=1 --", "Robert'); DELETE FROM tasks;--", "%s %d {0}",
    "\u202e\u200b\ufeff", "\x00\x07\x1b[31m", "🧨💥", "Ａｃｍｅ", "| tomorrow 3pm", "|||", ":",
]  # fmt: skip
VERBS = ["", "log call ", "log note Acme Industrial: ", "task ", "task <@U0REP2> Acme: ",
         "health ", "find ", "link ", "tasks ", "quotes ", "log ", "help "]  # fmt: skip

ANSWERS = {"response_url", "chat.postEphemeral", "chat.postMessage", "views.open"}

# every character Slack can send: all of unicode but lone surrogates (not valid UTF-8)
SENDABLE = st.characters(exclude_categories=["Cs"])
texts = st.one_of(
    st.text(SENDABLE, max_size=300),
    st.lists(st.one_of(st.sampled_from(NASTY), st.text(SENDABLE, max_size=40)), max_size=12).map(
        " ".join
    ),
    st.text(SENDABLE, min_size=3000, max_size=10_000),
)
commands = st.tuples(st.sampled_from(VERBS), texts).map("".join)
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


async def _count(container: Container, model: type) -> int:
    async with container.engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(model))).scalar_one())


async def _answer(slack: LocalSlack, before: int, ack: Any) -> dict[str, Any] | None:
    """What the user saw: the ack's body, or the first reply or modal the app sent after it."""
    if isinstance(ack, dict) and ack:
        return ack
    for _ in range(200):
        shown = [c for c in slack.calls[before:] if c.method in ANSWERS]
        if shown:
            return shown[0].args
        await asyncio.sleep(0.025)
    return None


def _is_clear(message: dict[str, Any]) -> str:
    shown = text_of(message) + str(message.get("view", ""))
    assert "Traceback" not in shown and 'File "' not in shown, shown[:500]
    return shown


@FUZZ
@given(text=commands)
async def test_any_command_text_gets_a_clear_answer_and_saves_whole_or_nothing(
    user: SlackUser, slack: LocalSlack, app_container: Container, text: str
) -> None:
    if not await _count(app_container, AuditRow):
        await seed(app_container, slack)
    before = len(slack.calls)
    status, ack = await user.command(text)
    assert status == 200
    answer = await _answer(slack, before, ack)
    assert answer is not None, f"no answer to {text[:80]!r}"
    assert _is_clear(answer).strip()
    await asyncio.sleep(0.05)  # let a background send (a DM to an assignee) land
    assert not slack.violations, slack.violations
    # each activity or task written came with its audit entry, in the same transaction
    made = await _count(app_container, ActivityRow) + await _count(app_container, TaskRow)
    audited = await _audited(app_container)
    assert made == audited


async def _audited(container: Container) -> int:
    async with container.engine.connect() as conn:
        query = select(func.count()).select_from(AuditRow)
        query = query.where(AuditRow.entity_type.in_(["activity", "task"]))
        query = query.where(AuditRow.action.in_(["activity.logged", "task.created"]))
        return int((await conn.execute(query)).scalar_one())


def _submission(view: dict[str, Any], notes: str, date: str, client: str) -> dict[str, Any]:
    values = {
        "client": {"type": "external_select", "selected_option": {"value": client}},
        "type": {"type": "static_select", "selected_option": {"value": "note"}},
        "notes": {"type": "plain_text_input", "value": notes},
        "date": {"type": "datepicker", "selected_date": date},
    }
    return {
        "type": "view_submission",
        "team": {"id": "T0001"},
        "user": {"id": REP},
        "api_app_id": "A0001",
        "trigger_id": f"{uuid.uuid4().hex}.sub",
        "view": {
            **view,
            "id": "V1",
            "state": {"values": {block: {block: el} for block, el in values.items()}},
        },
    }


@FUZZ
@given(
    notes=texts,
    date=st.one_of(st.sampled_from(["2026-11-24", "2026-12-30"]), st.text(SENDABLE, max_size=20)),
    client=st.one_of(st.sampled_from(["C1", "C4", "NOPE"]), st.text(SENDABLE, max_size=70)),
)
async def test_any_log_modal_submission_saves_or_names_the_field(
    user: SlackUser, slack: LocalSlack, app_container: Container, notes: str, date: str, client: str
) -> None:
    if not await _count(app_container, AuditRow):
        await seed(app_container, slack)
    before = len(slack.calls_to("views.open"))
    await user.command("log")
    view = (await slack.wait_for("views.open", before + 1))[before].args["view"]
    saved = await _count(app_container, ActivityRow)
    status, answer = await user.interact(_submission(dict(view), notes, date, client))
    assert status == 200
    now_saved = await _count(app_container, ActivityRow)
    if answer:  # refused: every error names a field of the modal, and nothing was saved
        assert answer["response_action"] == "errors"
        assert set(answer["errors"]) <= {"client", "type", "notes", "date", "time"}
        assert all(0 < len(message) <= 150 for message in answer["errors"].values())
        assert now_saved == saved
    else:
        assert now_saved == saved + 1
    assert not slack.violations, slack.violations
