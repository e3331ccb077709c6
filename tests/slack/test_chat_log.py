"""/crm log through signed requests: resolution, dates, undo, suggestions, retries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.bootstrap import Container
from bot.localslack import LocalSlack
from storage.models import ActivityRow, AuditRow, TaskRow
from tests.conftest import FixedClock
from tests.slack.chat_fixtures import OTHER, REP, button, click, reply, rows, seed, text_of
from tests.slack.conftest import SlackUser


async def _activities(container: Container) -> list[Any]:
    return await rows(container, ActivityRow)


async def test_log_stores_the_activity_in_utc_and_confirms_it(
    user: SlackUser, slack: LocalSlack, app_container: Container, clock: FixedClock
) -> None:
    await seed(app_container, slack)
    status, ack = await user.command("log call Northwind: talked Q1 pricing | yesterday 3pm")
    assert (status, ack) == (200, "")
    message = await reply(slack)
    text = text_of(message)
    # clock: Wed 25 Nov 17:00 UTC = 09:00 in Los Angeles; yesterday 3pm PST = 23:00 UTC
    assert "Logged a *call* with *Northwind Supply Co*" in text
    assert "Tue 24 Nov, 15:00 PST" in text
    [row] = await _activities(app_container)
    assert row.occurred_at == datetime(2026, 11, 24, 23, 0, tzinfo=UTC)
    assert (row.type, row.source, row.notes) == ("call", "slash", "talked Q1 pricing")
    assert {b["text"]["text"] for b in message["blocks"][1]["elements"]} == {
        "Add follow-up task",
        "Undo",
    }
    async with app_container.uow() as uow:
        audit = await uow.audit.list(client_external_id="C3")
    assert [(a.action, a.actor, a.surface) for a in audit] == [("activity.logged", REP, "slash")]
    assert not slack.violations


async def test_a_retried_log_is_stored_once(
    user: SlackUser, slack: LocalSlack, app_container: Container
) -> None:
    await seed(app_container, slack)
    body = user.command_body("log note C5: one note", trigger_id="77.88.retry")
    await user.post(body)
    status, _ = await user.post(body, headers={"X-Slack-Retry-Num": "1"})
    assert status == 200
    await reply(slack)
    assert len(await _activities(app_container)) == 1


async def test_several_candidates_save_nothing_until_one_is_picked(
    user: SlackUser, slack: LocalSlack, app_container: Container
) -> None:
    await seed(app_container, slack)
    await user.command("log call acme: asked for samples")
    choice = await reply(slack)
    assert "Several clients match" in text_of(choice)
    assert await _activities(app_container) == []
    pressed = button(choice, "Acme Industries")
    await user.interact(click(REP, pressed, response_url=slack.response_url("pick")))
    done = await reply(slack, 2)
    assert "Logged a *call* with *Acme Industries*" in text_of(done)
    [row] = await _activities(app_container)
    assert row.notes == "asked for samples"
    # the same choice clicked again (a double click, a stale copy) does nothing more
    await user.interact(click(REP, pressed, response_url=slack.response_url("pick2")))
    again = await reply(slack, 3)
    assert "already made" in text_of(again)
    assert len(await _activities(app_container)) == 1


async def test_a_pick_by_someone_else_or_a_tampered_value_is_refused(
    user: SlackUser, slack: LocalSlack, app_container: Container
) -> None:
    await seed(app_container, slack)
    await user.command("log call acme: hi")
    choice = await reply(slack)
    pressed = button(choice, "Acme Industrial")
    await user.interact(click(OTHER, pressed, response_url=slack.response_url("x")))
    assert "already made" in text_of(await reply(slack, 2))
    tampered = {**pressed, "value": pressed["value"].split("|")[0] + "|C3"}
    await user.interact(click(REP, tampered, response_url=slack.response_url("y")))
    assert "isn't one of the clients offered" in text_of(await reply(slack, 3))
    assert await _activities(app_container) == []


async def test_a_fuzzy_match_is_never_taken_silently(
    user: SlackUser, slack: LocalSlack, app_container: Container
) -> None:
    await seed(app_container, slack)
    await user.command("log call Nortwind Suply: hi")
    choice = await reply(slack)
    assert "Did you mean" in text_of(choice)
    assert button(choice, "Northwind Supply Co")
    assert await _activities(app_container) == []


async def test_no_match_and_bad_dates_save_nothing(
    user: SlackUser, slack: LocalSlack, app_container: Container
) -> None:
    await seed(app_container, slack)
    await user.command("log call Zzyzx Widgets: hi")
    assert "No client matches" in text_of(await reply(slack))
    await user.command("log call C5: hi | the day after never")
    assert "couldn't read" in text_of(await reply(slack, 2))
    await user.command("log call C5: hi | tomorrow 3pm")
    assert "future" in text_of(await reply(slack, 3)).lower()
    assert await _activities(app_container) == []


async def test_undo_by_the_author_within_ten_minutes_once(
    user: SlackUser, slack: LocalSlack, app_container: Container, clock: FixedClock
) -> None:
    await seed(app_container, slack)
    await user.command("log email C5: sent the catalogue")
    undo = button(await reply(slack), "Undo")
    await user.interact(click(OTHER, undo, response_url=slack.response_url("u0")))
    assert "Only the person who logged" in text_of(await reply(slack, 2))
    await user.interact(click(REP, undo, response_url=slack.response_url("u1")))
    assert "Undone" in text_of(await reply(slack, 3))
    await user.interact(click(REP, undo, response_url=slack.response_url("u2")))
    assert "Already undone" in text_of(await reply(slack, 4))
    [row] = await _activities(app_container)
    assert row.deleted_at == clock.now
    await user.command("log email C5: another")
    late = button(await reply(slack, 5), "Undo")
    clock.now += timedelta(minutes=11)
    await user.interact(click(REP, late, response_url=slack.response_url("u3")))
    assert "10 minutes" in text_of(await reply(slack, 6))


async def test_a_promise_in_the_notes_offers_a_task_one_click_away(
    user: SlackUser, slack: LocalSlack, app_container: Container
) -> None:
    await seed(app_container, slack)
    await user.command("log meeting C3: good talk. Will send pricing by Friday")
    message = await reply(slack)
    assert "Will send pricing by Friday" in text_of(message)
    assert "Fri 27 Nov, 09:00 PST" in text_of(message)
    accept = button(message, "Add this task")
    await user.interact(click(REP, accept, response_url=slack.response_url("a1")))
    assert "Will send pricing by Friday" in text_of(await reply(slack, 2))
    await user.interact(click(REP, accept, response_url=slack.response_url("a2")))
    assert "already taken" in text_of(await reply(slack, 3))
    tasks = await rows(app_container, TaskRow)
    assert [(t.title, t.due_at) for t in tasks] == [
        ("Will send pricing by Friday", datetime(2026, 11, 27, 17, 0, tzinfo=UTC))
    ]


async def test_names_are_escaped_everywhere(
    user: SlackUser, slack: LocalSlack, app_container: Container
) -> None:
    await seed(app_container, slack)
    await user.command("log note C4: <@U0REP2> said <!here> & more")
    text = text_of(await reply(slack))
    assert "<!channel>" not in text and "<!here>" not in text and "<@U0REP2>" not in text
    assert "&lt;!channel&gt; &amp; Co" in text
    entries = await rows(app_container, AuditRow)
    assert entries, "the change is audited"
