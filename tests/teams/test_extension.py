"""The "Log to CRM" message extension: fetchTask opens the form, submitAction logs."""

from __future__ import annotations

from typing import Any

from bot.bootstrap import Container
from bot.localslack import LocalSlack
from storage.models import ActivityRow, AuditRow, TaskRow
from tests.slack.chat_fixtures import REP, rows, seed
from tests.teams.conftest import TeamsUser, link_teams

FETCH, SUBMIT = "composeExtension/fetchTask", "composeExtension/submitAction"
LINK = "https://teams.microsoft.com/l/message/19:sales@thread.tacv2/1764086400000"
MESSAGE = {
    "id": "1764086400000",
    "createdDateTime": "2026-11-25T16:00:00.000Z",
    "body": {"contentType": "html", "content": "<p>Order 200 units &amp; ship Friday</p>"},
    "from": {"user": {"id": "29:someone", "displayName": "Lee Buyer"}},
    "linkToMessage": LINK,
}


def _form(answer: dict[str, Any]) -> dict[str, Any]:
    task = answer["task"]
    assert task["type"] == "continue", answer
    return dict(task["value"]["card"]["content"])


def _inputs(form: dict[str, Any]) -> dict[str, Any]:
    return {e["id"]: e.get("value") for e in form["body"] if e["type"].startswith("Input.")}


async def _open(teams: TeamsUser) -> tuple[dict[str, Any], dict[str, Any]]:
    value = {"commandId": "logToCrm", "commandContext": "message", "messagePayload": MESSAGE}
    form = _form(await teams.invoke(REP, FETCH, value, channel="sales"))
    (submit,) = form["actions"]
    return form, {**_inputs(form), **submit["data"]}


async def test_log_a_message_to_the_crm(
    teams: TeamsUser, teams_container: Container, slack: LocalSlack
) -> None:
    await seed(teams_container, slack)
    await link_teams(teams_container, REP)
    form, data = await _open(teams)
    assert form["version"] == "1.5" and form["actions"][0]["type"] == "Action.Submit"
    assert data["notes"] == "Message from Lee Buyer:\nOrder 200 units & ship Friday"
    assert data["token"] and data["permalink"] == LINK
    data |= {"client": "northwind", "type": "email", "follow_up": "Confirm the order"}
    answer = await teams.invoke(REP, SUBMIT, {"commandId": "logToCrm", "data": data})
    assert answer["task"]["type"] == "message"
    assert "Northwind Supply Co" in answer["task"]["value"]
    (logged,) = await rows(teams_container, ActivityRow)
    assert (logged.type, logged.source, logged.permalink) == ("email", "teams", LINK)
    assert logged.notes == "Message from Lee Buyer:\nOrder 200 units & ship Friday"
    assert logged.occurred_at.isoformat().startswith("2026-11-25 16:00") or (
        logged.occurred_at.strftime("%Y-%m-%d %H:%M") == "2026-11-25 16:00"
    )
    (task,) = await rows(teams_container, TaskRow)
    assert task.title == "Confirm the order"
    surfaces = {r.action: r.surface for r in await rows(teams_container, AuditRow)}
    assert surfaces["activity.logged"] == "teams" and surfaces["task.created"] == "teams"
    again = await teams.invoke(REP, SUBMIT, {"commandId": "logToCrm", "data": data})
    shown = str(_form(again)["body"])
    assert "expired (or was sent)" in shown, shown  # a retried submission logs nothing
    assert len(await rows(teams_container, ActivityRow)) == 1


async def test_a_bad_field_shows_the_form_again_with_the_problem(
    teams: TeamsUser, teams_container: Container, slack: LocalSlack
) -> None:
    await seed(teams_container, slack)
    await link_teams(teams_container, REP)
    _, data = await _open(teams)
    for client, problem in (("", "Name the client"), ("acme", "Which one?"), ("zzz", "No client")):
        sent = data | {"client": client, "notes": "kept as typed"}
        form = _form(await teams.invoke(REP, SUBMIT, {"data": sent}))
        shown = str(form["body"])
        assert problem in shown, (client, shown)
        assert _inputs(form)["notes"] == "kept as typed"
    late = data | {"client": "C3", "follow_up": "Call", "follow_up_when": "last year"}
    assert "follow_up_when" in str(_form(await teams.invoke(REP, SUBMIT, {"data": late}))["body"])
    expired = _form(
        await teams.invoke(REP, SUBMIT, {"data": data | {"token": "nope", "client": "C3"}})
    )
    assert "expired" in str(expired["body"])
    assert await rows(teams_container, ActivityRow) == []
    assert await rows(teams_container, TaskRow) == []
    nothing = await teams.invoke(REP, FETCH, {"commandId": "logToCrm"})
    assert nothing["task"]["type"] == "message"
    other = await teams.invoke(REP, FETCH, {"commandId": "other", "messagePayload": MESSAGE})
    assert "doesn't know that action" in other["task"]["value"]
