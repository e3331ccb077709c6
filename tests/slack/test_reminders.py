"""Reminders through the real app: `run-job reminders --now T`, the DM, Done and Snooze."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.bootstrap import Container
from bot.localslack import LocalSlack
from domain.model import UserPreferences
from schedulers.jobs import run_job
from storage.models import AuditRow, OutboxRow, TaskRow
from tests.conftest import FixedClock
from tests.slack.chat_fixtures import OTHER, REP, button, click, reply, rows, seed, text_of
from tests.slack.conftest import SlackUser

DUE = datetime(2026, 11, 26, 18, 0, tzinfo=UTC)  # Thu 10:00 in Los Angeles (REP's zone)
POST = "chat.postMessage"


async def cycle(container: Container, now: datetime) -> dict[str, int]:
    """`crmbot run-job reminders --now T`, then the outbox drained as the ticker would."""
    outcome = await run_job(container, "reminders", now=now)
    await run_job(container, "outbox", now=now)
    return dict(outcome.counts)


async def a_task(user: SlackUser, slack: LocalSlack, text: str, *, count: int = 1) -> int:
    await user.command(f"task C5: {text}")
    assert "Task" in text_of(await reply(slack, count))
    return count


def submit(
    view: dict[str, Any], values: dict[str, dict[str, Any]], *, user: str = REP
) -> dict[str, Any]:
    state = {block: {block: element} for block, element in values.items()}
    return {
        "type": "view_submission",
        "team": {"id": "T0001"},
        "user": {"id": user},
        "api_app_id": "A0001",
        "trigger_id": f"{uuid.uuid4().hex}.sub",
        "view": {**view, "id": "V1", "state": {"values": state}},
    }


def picked(key: str) -> dict[str, Any]:
    return {"choice": {"type": "radio_buttons", "selected_option": {"value": key}}}


def typed(text: str) -> dict[str, Any]:
    return {"when": {"type": "plain_text_input", "value": text}}


async def reminder_dms(slack: LocalSlack) -> list[dict[str, Any]]:
    return [c.args for c in slack.calls_to(POST) if "Reminder" in text_of(c.args)]


async def test_a_reminder_comes_at_the_due_time_once_and_done_works(
    user: SlackUser, slack: LocalSlack, app_container: Container
) -> None:
    await seed(app_container, slack)
    await a_task(user, slack, "call back about <!here> pricing | tomorrow 10am")
    assert (await cycle(app_container, DUE - timedelta(minutes=1)))["sent"] == 0
    assert await reminder_dms(slack) == []
    assert (await cycle(app_container, DUE))["sent"] == 1
    [dm] = await reminder_dms(slack)
    assert dm["channel"] == REP
    text = text_of(dm)
    assert "call back about &lt;!here&gt; pricing" in text and "Thu 26 Nov, 10:00 PST" in text
    # re-running the cycle (a restart, a second worker) sends nothing more
    assert (await cycle(app_container, DUE + timedelta(minutes=1)))["sent"] == 0
    assert len(await reminder_dms(slack)) == 1
    [row] = [r for r in await rows(app_container, OutboxRow) if r.key.startswith("reminder:")]
    assert row.key == f"reminder:1:{DUE.isoformat()}" and row.status == "sent"
    [task] = await rows(app_container, TaskRow)
    assert (task.remind_at, task.reminded_at) == (None, DUE)
    done = button(dm, "Done")
    await user.interact(click(REP, done, response_url=slack.response_url("d1"), channel="D1"))
    assert "Done" in text_of(await reply(slack, 2))
    audit = [r.action for r in await rows(app_container, AuditRow)]
    assert audit.count("task.reminded") == 1 and "task.completed" in audit
    assert not slack.violations


async def test_snooze_each_choice_and_a_typed_time(
    user: SlackUser, slack: LocalSlack, app_container: Container, clock: FixedClock
) -> None:
    await seed(app_container, slack)
    await a_task(user, slack, "send the contract | tomorrow 10am")
    clock.now = DUE
    await cycle(app_container, DUE)
    [dm] = await reminder_dms(slack)
    view = await open_snooze(user, slack, dm, count=1)
    labels = [o["text"]["text"] for o in block(view, "choice")["element"]["options"]]
    assert labels == ["In 1 hour", "Tomorrow, 09:00", "Next Monday, 09:00"]
    status, answer = await user.interact(submit(view, picked("hour")))
    assert (status, answer) == (200, "")
    [confirm] = await slack.wait_for("chat.postEphemeral")
    assert "I'll remind you Thu 26 Nov, 11:00 PST" in text_of(confirm.args)
    assert (await remind_at(app_container)) == DUE + timedelta(hours=1)
    # the reminder after the snooze: its own message, once
    assert (await cycle(app_container, DUE + timedelta(hours=1)))["sent"] == 1
    assert (await cycle(app_container, DUE + timedelta(hours=2)))["sent"] == 0
    second = (await reminder_dms(slack))[1]
    expected = {
        "tomorrow": datetime(2026, 11, 27, 17, 0, tzinfo=UTC),  # Fri 09:00 PST
        "monday": datetime(2026, 11, 30, 17, 0, tzinfo=UTC),  # Mon 09:00 PST
    }
    for n, (key, at) in enumerate(expected.items(), start=2):
        view = await open_snooze(user, slack, second, count=n)
        assert (await user.interact(submit(view, picked(key))))[1] == ""
        assert await remind_at(app_container) == at
    view = await open_snooze(user, slack, second, count=4)
    assert (await user.interact(submit(view, picked("hour") | typed("friday 3pm"))))[1] == ""
    assert await remind_at(app_container) == datetime(2026, 11, 27, 23, 0, tzinfo=UTC)
    for bad, says in (("someday maybe", "couldn't read"), ("yesterday", "past")):
        status, answer = await user.interact(submit(view, typed(bad)))
        assert answer["response_action"] == "errors" and says in answer["errors"]["when"]
    assert await remind_at(app_container) == datetime(2026, 11, 27, 23, 0, tzinfo=UTC)
    snoozes = [r for r in await rows(app_container, AuditRow) if r.action == "task.snoozed"]
    assert [r.details["choice"] for r in snoozes] == ["hour", "tomorrow", "monday", "typed"]
    assert snoozes[0].details["before"] == {"remind_at": None}
    assert not slack.violations


async def test_snooze_is_for_the_assignee_and_open_tasks_and_works_from_tasks(
    user: SlackUser, slack: LocalSlack, app_container: Container
) -> None:
    await seed(app_container, slack)
    await a_task(user, slack, "prepare the renewal | tomorrow 10am")
    await user.command("tasks")
    listing = await reply(slack, 2)
    snooze = button(listing, "Snooze")
    await user.interact(click(OTHER, snooze, response_url=slack.response_url("o1")))
    assert "Only the person the task is for" in text_of(await reply(slack, 3))
    await user.interact(click(REP, snooze, response_url=slack.response_url("s1")))
    [opened] = await slack.wait_for("views.open")
    view = opened.args["view"]
    assert "prepare the renewal" in str(view["blocks"][0])
    await user.interact(click(REP, button(listing, "Done"), response_url=slack.response_url("d")))
    await reply(slack, 4)
    _, answer = await user.interact(submit(view, picked("hour")))
    assert answer["response_action"] == "errors" and "already done" in answer["errors"]["choice"]
    await user.interact(click(REP, snooze, response_url=slack.response_url("s2")))
    assert "already done" in text_of(await reply(slack, 5))
    await user.interact(click(REP, {**snooze, "value": "x"}, response_url=slack.response_url("s3")))
    assert "broken" in text_of(await reply(slack, 6))
    assert [r for r in await rows(app_container, AuditRow) if r.action == "task.snoozed"] == []


async def test_snooze_from_the_app_home_confirms_by_dm_and_refreshes_it(
    user: SlackUser, slack: LocalSlack, app_container: Container
) -> None:
    await seed(app_container, slack)
    await a_task(user, slack, "from the home | tomorrow 10am")
    home = {"id": "VHOME", "type": "home", "callback_id": "crm_home", "private_metadata": ""}
    pressed = {"action_id": "task_snooze", "value": "1"}

    def on_home(who: str) -> dict[str, Any]:
        clicked = click(who, pressed, response_url="")
        del clicked["response_url"], clicked["channel"]
        return clicked | {"container": {"type": "view"}, "view": home}

    await user.interact(on_home(REP))
    [opened] = await slack.wait_for("views.open")
    view = opened.args["view"]
    assert "home" in view["private_metadata"]
    assert (await user.interact(submit(view, picked("monday"))))[1] == ""
    [dm] = await slack.wait_for(POST)
    assert dm.args["channel"] == REP and "Mon 30 Nov, 09:00 PST" in text_of(dm.args)
    await slack.wait_for("views.publish")  # the Home shows the task as it is now
    await user.interact(on_home(OTHER))
    refused = await slack.wait_for(POST, 2)
    assert refused[1].args["channel"] == OTHER and "Only the person" in text_of(refused[1].args)


async def test_a_repeating_task_spawns_the_next_one_when_done(
    user: SlackUser, slack: LocalSlack, app_container: Container
) -> None:
    await seed(app_container, slack)
    await user.command("task C5: weekly pipeline review | every 2 weeks from monday 10am")
    created = text_of(await reply(slack))
    assert "Mon 30 Nov, 10:00 PST" in created and "Repeats every 2 weeks" in created
    await cycle(app_container, datetime(2026, 11, 30, 18, 0, tzinfo=UTC))
    [dm] = await reminder_dms(slack)
    assert "Repeats every 2 weeks" in text_of(dm)
    done = button(dm, "Done")
    await user.interact(click(REP, done, response_url=slack.response_url("d1"), channel="D1"))
    assert "Next one (every 2 weeks) is due Mon 14 Dec, 10:00 PST" in text_of(await reply(slack, 2))
    await user.interact(click(REP, done, response_url=slack.response_url("d2"), channel="D1"))
    assert "Already done" in text_of(await reply(slack, 3))
    first, second = sorted(await rows(app_container, TaskRow), key=lambda t: t.id)
    assert (first.status, second.status) == ("done", "open")
    assert second.due_at == datetime(2026, 12, 14, 18, 0, tzinfo=UTC)
    assert (second.recurrence, second.title, second.client_id) == (
        "every 2 weeks",
        first.title,
        first.client_id,
    )
    assert second.remind_at == second.due_at
    [spawned] = [r for r in await rows(app_container, AuditRow) if r.action == "task.recurred"]
    assert spawned.entity_id == str(second.id) and spawned.details["previous_task"] == first.id


async def test_the_task_modal_repeat_select(
    user: SlackUser, slack: LocalSlack, app_container: Container
) -> None:
    await seed(app_container, slack)
    await user.command("task")
    [opened] = await slack.wait_for("views.open")
    view = opened.args["view"]
    assert [o["value"] for o in block(view, "repeat")["element"]["options"]][:3] == [
        "every day",
        "every weekday",
        "every week",
    ]
    chosen: dict[str, dict[str, Any]] = {
        "assignee": {"type": "users_select", "selected_user": REP},
        "title": {"type": "plain_text_input", "value": "Stand-up notes"},
        "due_date": {"type": "datepicker", "selected_date": "2026-11-30"},
        "due_time": {"type": "timepicker", "selected_time": "09:30"},
        "repeat": {"type": "static_select", "selected_option": {"value": "every week"}},
    }
    assert (await user.interact(submit(view, chosen)))[1] == ""
    [task] = await rows(app_container, TaskRow)
    assert (task.recurrence, task.due_at) == (
        "every week",
        datetime(2026, 11, 30, 17, 30, tzinfo=UTC),
    )
    [confirm] = await slack.wait_for("chat.postEphemeral")
    assert "Repeats every week" in text_of(confirm.args)
    chosen["due_date"]["selected_date"] = "2026-11-01"
    _, answer = await user.interact(submit(view, chosen))
    assert "past" in answer["errors"]["due_date"]


async def test_no_reminder_for_someone_who_turned_them_off(
    user: SlackUser, slack: LocalSlack, app_container: Container
) -> None:
    await seed(app_container, slack)
    await a_task(user, slack, "quiet one | tomorrow 10am")
    async with app_container.uow() as uow:
        await uow.preferences.put(UserPreferences(REP, alerts={"reminders": False}), now=DUE)
        await uow.commit()
    assert (await cycle(app_container, DUE))["muted"] == 1
    assert await reminder_dms(slack) == []
    assert (await cycle(app_container, DUE + timedelta(hours=1)))["muted"] == 0


async def open_snooze(
    user: SlackUser, slack: LocalSlack, dm: dict[str, Any], *, count: int
) -> dict[str, Any]:
    pressed = button(dm, "Snooze")
    await user.interact(click(REP, pressed, response_url=slack.response_url(f"z{count}")))
    return dict((await slack.wait_for("views.open", count))[count - 1].args["view"])


def block(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


async def remind_at(container: Container) -> datetime | None:
    [task] = await rows(container, TaskRow)
    return task.remind_at
