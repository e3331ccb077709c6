"""The buttons on what crmbot sends to Teams on its own work there: a reminder's Snooze and
a risk alert's Create retention task / Snooze 7 days (``bot/teams/proactive_actions.py``,
merged into the Teams action handlers as ``bot/teams/actions.py`` would merge them)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from bot.bootstrap import Container
from bot.localteams import LocalTeams
from bot.teams import actions, proactive_actions
from bot.teams.proactive_actions import SNOOZE_PICK
from domain.chat import replies
from domain.model import Client, Task, User, UserPreferences
from domain.services.risk_alert_cards import RETENTION, SNOOZE_ALERT
from schedulers.jobs import run_job
from storage.models import AuditRow, TaskRow
from tests.integration.alerts_fixtures import keep_scores, record
from tests.slack.chat_fixtures import rows
from tests.teams.conftest import TeamsUser, card_of, link_teams, texts
from tests.teams.conftest import actions as actions_of

NOW = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)


def test_the_proactive_buttons_are_wired_into_the_invoke_table() -> None:
    for verb, handler in proactive_actions.HANDLERS.items():
        assert actions.HANDLERS[verb] is handler


async def _ana_on_teams(container: Container, teams: TeamsUser) -> None:
    async with container.uow() as uow:
        await uow.users.upsert_many([User("ANA", "Ana")])
        await uow.preferences.put(UserPreferences("ANA", platform="teams"), now=NOW)
        await uow.commit()
    await link_teams(container, "ANA")
    await teams.say("ANA", "tasks")  # her personal chat is remembered
    if container._delivery is not None:  # the drain that command started
        await container._delivery


def _buttons(activity: dict[str, Any]) -> dict[str, str]:
    """Each Action.Execute in the card: verb → its value."""
    found: dict[str, str] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Execute":
                found[node["verb"]] = str(node.get("data", {}).get("value", ""))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card_of(activity))
    return found


async def _sent(container: Container, connector: LocalTeams, job: str, now: datetime) -> Any:
    before = len(connector.activities)
    await run_job(container, job, now=now)
    await run_job(container, "outbox", now=now)
    [sent] = connector.activities[before:]
    return sent.json


async def test_a_reminder_snoozed_from_teams(
    teams: TeamsUser, teams_container: Container, connector: LocalTeams
) -> None:
    await _ana_on_teams(teams_container, teams)
    async with teams_container.uow() as uow:
        await uow.tasks.add_many([Task("Call Acme back", "ANA", NOW - timedelta(minutes=1))])
        await uow.commit()
    reminder = await _sent(teams_container, connector, "reminders", NOW)
    task_id = _buttons(reminder)[replies.SNOOZE]
    offered = await teams.press("ANA", replies.SNOOZE, task_id)
    choices = [a["data"]["value"] for a in actions_of(offered["value"])]
    assert choices == [f"{task_id}|hour", f"{task_id}|tomorrow", f"{task_id}|monday"]
    answer = await teams.press("ANA", SNOOZE_PICK, f"{task_id}|tomorrow")
    assert "Call Acme back" in texts(answer["value"])
    [task] = await rows(teams_container, TaskRow)
    assert task.remind_at == datetime(2026, 11, 26, 9, 0, tzinfo=UTC)  # tomorrow 09:00, UTC
    [audit] = [r for r in await rows(teams_container, AuditRow) if r.action == "task.snoozed"]
    assert (audit.actor, audit.surface) == ("ANA", "teams")
    broken = await teams.press("ANA", SNOOZE_PICK, f"{task_id}|never")
    assert "broken" in str(broken["value"])


async def test_a_risk_alert_handled_from_teams(
    teams: TeamsUser, teams_container: Container, connector: LocalTeams
) -> None:
    await _ana_on_teams(teams_container, teams)
    async with teams_container.uow() as uow:
        await uow.clients.upsert_many([Client("C1", "Acme", owner_slack_user_id="ANA")])
        ids = await uow.clients.ids_for(["C1"])
        await uow.commit()
    day = date(2026, 11, 25)
    await keep_scores(teams_container, day, [record(ids["C1"], "C1", day, risk=75)])
    alert = await _sent(teams_container, connector, "risk-alerts", NOW)
    assert "Acme" in texts(card_of(alert))
    buttons = _buttons(alert)
    answer = await teams.press("ANA", RETENTION, buttons[RETENTION])
    assert "retention" in texts(answer["value"]).lower()
    [task] = await rows(teams_container, TaskRow)
    assert (task.client_id, task.assignee_id is not None) == (ids["C1"], True)
    again = await teams.press("ANA", SNOOZE_ALERT, buttons[SNOOZE_ALERT])
    assert "nothing changed" in str(again["value"])  # handled by the retention task already
    audits = [r.action for r in await rows(teams_container, AuditRow) if r.surface == "teams"]
    assert audits == ["task.created"]
