"""/crm log and /crm task with no text: modals, typeahead, field errors, submission."""

from __future__ import annotations

import uuid
from typing import Any

from bot.bootstrap import Container
from bot.localslack import LocalSlack
from storage.models import ActivityRow, TaskRow
from tests.slack.chat_fixtures import REP, rows, seed, text_of
from tests.slack.conftest import SlackUser


def submission(view: dict[str, Any], values: dict[str, dict[str, Any]]) -> dict[str, Any]:
    state = {block: {block: element} for block, element in values.items()}
    return {
        "type": "view_submission",
        "team": {"id": "T0001"},
        "user": {"id": REP},
        "api_app_id": "A0001",
        "trigger_id": f"{uuid.uuid4().hex}.sub",
        "view": {**view, "id": "V1", "state": {"values": state}},
    }


async def opened_view(user: SlackUser, slack: LocalSlack, text: str) -> dict[str, Any]:
    status, ack = await user.command(text)
    assert (status, ack) == (200, "")
    [call] = await slack.wait_for("views.open")
    return dict(call.args["view"])


async def test_log_modal_opens_with_a_typeahead_and_saves(
    user: SlackUser, slack: LocalSlack, app_container: Container
) -> None:
    await seed(app_container, slack)
    view = await opened_view(user, slack, "log")
    assert view["callback_id"] == "log_modal"
    status, options = await user.interact(
        {
            "type": "block_suggestion",
            "team": {"id": "T0001"},
            "user": {"id": REP},
            "api_app_id": "A0001",
            "action_id": "client",
            "block_id": "client",
            "value": "acme",
            "view": view,
        }
    )
    assert status == 200
    labels = [o["text"]["text"] for o in options["options"]]
    assert labels[:2] == ["Acme Industrial (C1)", "Acme Industries (C2)"]
    pick = options["options"][0]
    status, answer = await user.interact(
        submission(
            view,
            {
                "client": {"type": "external_select", "selected_option": pick},
                "type": {"type": "static_select", "selected_option": {"value": "meeting"}},
                "notes": {"type": "plain_text_input", "value": "site visit"},
                "date": {"type": "datepicker", "selected_date": "2026-11-24"},
                "time": {"type": "timepicker", "selected_time": "14:30"},
            },
        )
    )
    assert (status, answer) == (200, "")
    [row] = await rows(app_container, ActivityRow)
    assert (row.type, row.notes, row.source) == ("meeting", "site visit", "modal")
    assert row.occurred_at.isoformat() == "2026-11-24T22:30:00+00:00"
    [confirm] = await slack.wait_for("chat.postEphemeral")
    assert "Logged a *meeting* with *Acme Industrial*" in text_of(confirm.args)
    assert not slack.violations


async def test_field_errors_come_back_in_the_modal_and_save_nothing(
    user: SlackUser, slack: LocalSlack, app_container: Container
) -> None:
    await seed(app_container, slack)
    view = await opened_view(user, slack, "log")
    status, answer = await user.interact(
        submission(view, {"notes": {"type": "plain_text_input", "value": " "}})
    )
    assert status == 200
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"client", "notes"}
    future = submission(
        view,
        {
            "client": {"type": "external_select", "selected_option": {"value": "C5"}},
            "notes": {"type": "plain_text_input", "value": "from the future"},
            "date": {"type": "datepicker", "selected_date": "2026-12-30"},
        },
    )
    status, answer = await user.interact(future)
    assert answer["response_action"] == "errors"
    assert "future" in answer["errors"]["date"]
    assert await rows(app_container, ActivityRow) == []


async def test_task_modal_defaults_and_refuses_a_past_date(
    user: SlackUser, slack: LocalSlack, app_container: Container
) -> None:
    await seed(app_container, slack)
    view = await opened_view(user, slack, "task")
    blocks = {b["block_id"]: b for b in view["blocks"]}
    assert blocks["assignee"]["element"]["initial_user"] == REP
    assert blocks["due_date"]["element"]["initial_date"] == "2026-11-26"
    values = {
        "assignee": {"type": "users_select", "selected_user": REP},
        "title": {"type": "plain_text_input", "value": "Send the revised quote"},
        "due_date": {"type": "datepicker", "selected_date": "2026-11-20"},
        "due_time": {"type": "timepicker", "selected_time": "09:00"},
    }
    status, answer = await user.interact(submission(view, values))
    assert answer["response_action"] == "errors" and "past" in answer["errors"]["due_date"]
    values["due_date"]["selected_date"] = "2026-11-30"
    status, answer = await user.interact(submission(view, values))
    assert (status, answer) == (200, "")
    [task] = await rows(app_container, TaskRow)
    assert task.title == "Send the revised quote"
    assert task.due_at.isoformat() == "2026-11-30T17:00:00+00:00"
