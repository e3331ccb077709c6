"""The App Home through signed requests: app_home_opened → views.publish, its buttons,
paging within 100 blocks, and actions taken on it refreshing it."""

from __future__ import annotations

import json
import time
import uuid
from datetime import timedelta
from typing import Any

from bot.bootstrap import Container
from bot.localslack import LocalSlack
from domain.model import Task
from storage.models import AuditRow, TaskRow
from tests.home_fixtures import at, score
from tests.slack.chat_fixtures import MANAGER, OTHER, REP, buttons, rows, seed, text_of
from tests.slack.conftest import SlackUser

DAY = timedelta(days=1)


async def _tasks(container: Container, count: int, *, who: str = REP) -> list[int]:
    now = container.clock()
    ids = []
    async with container.uow() as uow:
        acme = await uow.clients.get("C1")
        assert acme is not None
        for n in range(count):
            task = Task(f"Task {n}", who, now + (n - 1) * DAY, client_id=acme.id, created_at=now)
            ids.append((await uow.tasks.add(task)).id)
        await uow.commit()
    return [i for i in ids if i is not None]


async def _scores(container: Container) -> None:
    day = container.clock().date() - DAY
    async with container.uow() as uow:
        ids = await uow.clients.ids_for(["C1", "C3", "C5"])
        records = [
            score(ids["C1"], "C1", day, risk=81),
            score(ids["C3"], "C3", day, risk=20, next_order=day + 3 * DAY),
            score(ids["C5"], "C5", day, risk=64),
        ]
        await uow.scores.save(records, as_of=day, computed_at=at(day))
        await uow.commit()


async def open_home(user: SlackUser, slack: LocalSlack, who: str, *, count: int = 1) -> Any:
    body = {
        "token": "local-verification-token",
        "team_id": "T0001",
        "api_app_id": "A0001",
        "type": "event_callback",
        "event_id": f"Ev{uuid.uuid4().hex[:10]}",
        "event_time": int(time.time()),
        "event": {
            "type": "app_home_opened",
            "user": who,
            "channel": "D0HOME",
            "tab": "home",
            "event_ts": f"{time.time():.6f}",
        },
    }
    status, _ = await user.post(json.dumps(body), headers={"Content-Type": "application/json"})
    assert status == 200
    return await published(slack, count)


async def published(slack: LocalSlack, count: int) -> dict[str, Any]:
    calls = await slack.wait_for("views.publish", count)
    return dict(calls[count - 1].args)


def press_on_home(who: str, view: dict[str, Any], pressed: dict[str, Any]) -> dict[str, Any]:
    """A click on a button of the published Home, as Slack sends it."""
    return {
        "type": "block_actions",
        "user": {"id": who, "team_id": "T0001"},
        "team": {"id": "T0001"},
        "api_app_id": "A0001",
        "trigger_id": f"{uuid.uuid4().hex}.trig",
        "container": {"type": "view", "view_id": "VHOME"},
        "view": {**view, "id": "VHOME", "state": {"values": {}}},
        "actions": [
            {
                "type": "button",
                "action_id": pressed["action_id"],
                "block_id": "b",
                "value": pressed.get("value", ""),
            }
        ],
    }


def labelled(view: dict[str, Any], label: str, value: str | None = None) -> dict[str, Any]:
    for b in buttons(view):
        if b["text"]["text"].startswith(label) and (value is None or b.get("value") == value):
            return b
    raise AssertionError(f"no {label!r} button")


async def test_a_reps_home(user: SlackUser, slack: LocalSlack, app_container: Container) -> None:
    await seed(app_container, slack)
    await _tasks(app_container, 3)
    await _tasks(app_container, 1, who=OTHER)
    await _scores(app_container)
    call = await open_home(user, slack, REP)
    assert call["user_id"] == REP
    view = call["view"]
    assert view["type"] == "home"
    text = text_of(view)
    assert "Hello, Dana Rep" in text
    assert "Your open tasks (3, 1 overdue)" in text
    assert text.index("Task 0") < text.index("Task 1")
    assert [b["text"]["text"] for b in buttons(view)][:3] == [
        "Log activity",
        "New task",
        "Settings",
    ]
    assert {b["action_id"] for b in buttons(view)} >= {"task_done", "task_snooze"}
    assert "Waiting on your approval (0)" in text
    assert "Your clients at risk (2)" in text
    assert text.index("Acme Industrial") < text.index("Blue Ridge Fasteners")  # riskiest first
    assert "risk 81 · $1,200 overdue" in text
    assert "Due to reorder (1)" in text and "*Northwind Supply Co* — Expected around Fri 27" in text
    assert "Your team" not in text
    assert not slack.violations


async def test_a_managers_home_shows_the_team(
    user: SlackUser, slack: LocalSlack, app_container: Container
) -> None:
    await seed(app_container, slack)
    await _tasks(app_container, 3)
    await _tasks(app_container, 2, who=OTHER)
    await _scores(app_container)
    text = text_of((await open_home(user, slack, MANAGER))["view"])
    assert "Hello, Mo Manager" in text
    assert "Your team (2)" in text
    assert "*Dana Rep* — 3 open tasks, :red_circle: 1 overdue · 2 clients at risk" in text
    assert "*Sam Rep* — 2 open tasks, :red_circle: 1 overdue · 0 clients at risk" in text
    assert "Your open tasks (0)" in text
    assert not slack.violations


async def test_show_more_pages_within_100_blocks(
    user: SlackUser, slack: LocalSlack, app_container: Container
) -> None:
    await seed(app_container, slack)
    await _tasks(app_container, 40)
    view = (await open_home(user, slack, REP))["view"]
    assert "Task 4" in text_of(view) and "Task 5" not in text_of(view)
    for count, last in [(2, "Task 9"), (3, "Task 14")]:
        more = labelled(view, "Show more")
        assert more["value"] == "tasks"
        assert await user.interact(press_on_home(REP, view, more)) == (200, "")
        view = (await published(slack, count))["view"]
        assert last in text_of(view) and "Task 15" not in text_of(view)
        assert len(view["blocks"]) <= 100
    assert "…and 25 more" in text_of(view)
    assert not [b for b in buttons(view) if b["text"]["text"].startswith("Show more")]
    assert not slack.violations


async def test_done_on_the_home_completes_the_task_and_refreshes_it(
    user: SlackUser, slack: LocalSlack, app_container: Container
) -> None:
    await seed(app_container, slack)
    first, *_ = await _tasks(app_container, 12)
    view = (await open_home(user, slack, REP))["view"]
    view = json.loads(json.dumps(view))
    view["private_metadata"] = json.dumps({"pages": {"tasks": 10}})  # paged further first
    done = labelled(view, "Done", str(first))
    assert await user.interact(press_on_home(REP, view, done)) == (200, "")
    refreshed = (await published(slack, 2))["view"]
    assert "Task 0" not in text_of(refreshed) and "Task 10" in text_of(refreshed)  # kept paging
    assert "Your open tasks (11" in text_of(refreshed)
    [task] = [t for t in await rows(app_container, TaskRow) if t.id == first]
    assert task.status == "done"
    audit = [a for a in await rows(app_container, AuditRow) if a.action == "task.completed"]
    assert [(a.actor, a.entity_id) for a in audit] == [(REP, str(first))]
    assert slack.calls_to("response_url") == []  # the Home has none; it was refreshed instead
    assert not slack.violations


async def test_home_buttons_open_the_forms(
    user: SlackUser, slack: LocalSlack, app_container: Container
) -> None:
    await seed(app_container, slack)
    view = (await open_home(user, slack, REP))["view"]
    for n, label in enumerate(("Log activity", "New task", "Settings"), start=1):
        await user.interact(press_on_home(REP, view, labelled(view, label)))
        await slack.wait_for("views.open", n)
    opened = slack.calls_to("views.open")
    assert [c.args["view"]["callback_id"] for c in opened] == [
        "log_modal",
        "task_modal",
        "settings_modal",
    ]
    # a task made in the form opened from the Home shows on the Home at once
    [form] = [c.args["view"] for c in opened if c.args["view"]["callback_id"] == "task_modal"]
    values = {
        "assignee": {"assignee": {"type": "users_select", "selected_user": REP}},
        "title": {"title": {"type": "plain_text_input", "value": "Call back Acme"}},
        "due_date": {"due_date": {"type": "datepicker", "selected_date": "2026-11-30"}},
        "due_time": {"due_time": {"type": "timepicker", "selected_time": "10:00"}},
    }
    submitted = {
        "type": "view_submission",
        "team": {"id": "T0001"},
        "user": {"id": REP},
        "api_app_id": "A0001",
        "trigger_id": f"{uuid.uuid4().hex}.sub",
        "view": {**form, "id": "VFORM", "state": {"values": values}},
    }
    assert await user.interact(submitted) == (200, "")
    home = (await published(slack, 2))["view"]
    assert "Your open tasks (1)" in text_of(home) and "Call back Acme" in text_of(home)
    assert not slack.violations


async def test_approve_on_the_home_decides_and_refreshes_it(
    user: SlackUser, slack: LocalSlack, app_container: Container
) -> None:
    from tests.slack.approvals_kit import MGR, get_quote, put_quote, quote_body, seed_team

    await seed_team(app_container, slack)
    await put_quote(user, "Q-1", quote_body("12000"))  # the manager's level decides it
    await put_quote(user, "Q-2", quote_body("15000"))
    view = (await open_home(user, slack, MGR))["view"]
    assert "Waiting on your approval (2)" in text_of(view)
    approve = next(b for b in buttons(view) if b["action_id"] == "quote_approve")
    assert await user.interact(press_on_home(MGR, view, approve)) == (200, "")
    refreshed = (await published(slack, 2))["view"]
    assert "Waiting on your approval (1)" in text_of(refreshed)
    statuses = sorted([(await get_quote(user, k))["status"] for k in ("Q-1", "Q-2")])
    assert statuses == ["approved", "pending_approval"]
    assert slack.calls_to("response_url") == []
    assert not slack.violations


async def test_snooze_on_the_home_refreshes_it_once_snoozed(
    user: SlackUser, slack: LocalSlack, app_container: Container
) -> None:
    await seed(app_container, slack)
    first, *_ = await _tasks(app_container, 2)
    view = (await open_home(user, slack, REP))["view"]
    assert await user.interact(press_on_home(REP, view, labelled(view, "Snooze", str(first)))) == (
        200,
        "",
    )
    [opened] = await slack.wait_for("views.open")
    form = opened.args["view"]
    assert json.loads(form["private_metadata"])["home"] == {}  # remembers it came from the Home
    values = {"when": {"when": {"type": "plain_text_input", "value": "in 3 days"}}}
    submitted = {
        "type": "view_submission",
        "team": {"id": "T0001"},
        "user": {"id": REP},
        "api_app_id": "A0001",
        "trigger_id": f"{uuid.uuid4().hex}.sub",
        "view": {**form, "id": "VSNOOZE", "state": {"values": values}},
    }
    assert await user.interact(submitted) == (200, "")
    refreshed = (await published(slack, 2))["view"]
    assert refreshed["type"] == "home" and "Your open tasks (2" in text_of(refreshed)
    assert not slack.violations
