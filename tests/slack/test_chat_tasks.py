"""/crm task, tasks, link, unlink, find and health through signed requests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.bootstrap import Container
from bot.localslack import LocalSlack
from domain.model import Role, User
from schedulers.jobs import run_job
from storage.models import ActivityRow, ChannelLinkRow, TaskRow
from tests.slack.chat_fixtures import OTHER, REP, button, buttons, click, reply, rows, seed, text_of
from tests.slack.conftest import SlackUser


async def test_a_task_for_someone_else_tells_them_once(
    user: SlackUser, slack: LocalSlack, app_container: Container
) -> None:
    await seed(app_container, slack)
    await user.command(f"task <@{OTHER}|sam> Northwind: call about the order | friday 10am")
    text = text_of(await reply(slack))
    assert f"for <@{OTHER}>" in text and "Fri 27 Nov, 10:00 PST" in text
    [task] = await rows(app_container, TaskRow)
    assert task.due_at == datetime(2026, 11, 27, 18, 0, tzinfo=UTC)
    assert (task.title, task.origin, task.status) == ("call about the order", "manual", "open")
    [dm] = await slack.wait_for("chat.postMessage")
    assert dm.args["channel"] == OTHER
    # the assignee reads it in their own zone (Honolulu, UTC-10)
    assert "Fri 27 Nov, 08:00 HST" in text_of(dm.args)
    # another outbox cycle (a restart, a second worker) sends nothing more
    await run_job(app_container, "outbox", now=app_container.clock())
    assert len(slack.calls_to("chat.postMessage")) == 1


async def test_a_task_defaults_to_the_next_working_day_and_refuses_the_past(
    user: SlackUser, slack: LocalSlack, app_container: Container
) -> None:
    await seed(app_container, slack)
    await user.command("task C5: send the catalogue")
    assert "Thu 26 Nov, 09:00 PST" in text_of(await reply(slack))
    await user.command("task C5: too late | yesterday")
    assert "past" in text_of(await reply(slack, 2))
    assert len(await rows(app_container, TaskRow)) == 1
    assert not slack.calls_to("chat.postMessage"), "no notice for one's own task"


async def test_tasks_lists_overdue_first_and_done_is_idempotent(
    user: SlackUser, slack: LocalSlack, app_container: Container, clock: Any
) -> None:
    await seed(app_container, slack)
    await user.command("task C5: later one | next tuesday")
    await user.command("task C3: sooner one | tomorrow 8am")
    await reply(slack, 2)  # both handled before the clock moves
    clock.now = datetime(2026, 11, 27, 0, 0, tzinfo=UTC)  # the sooner one is now overdue
    await user.command("tasks")
    listing = await reply(slack, 3)
    text = text_of(listing)
    assert text.index("sooner one") < text.index("later one")
    assert "overdue" in text
    done = buttons(listing)[0]
    await user.interact(click(REP, done, response_url=slack.response_url("d1")))
    assert "Done" in text_of(await reply(slack, 4))
    await user.interact(click(REP, done, response_url=slack.response_url("d2")))
    assert "Already done" in text_of(await reply(slack, 5))
    await user.interact(click(OTHER, done, response_url=slack.response_url("d3")))
    assert "Only the person the task is for" in text_of(await reply(slack, 6))
    statuses = sorted(t.status for t in await rows(app_container, TaskRow))
    assert statuses == ["done", "open"]


async def test_link_lets_the_client_be_left_out(
    user: SlackUser, slack: LocalSlack, app_container: Container
) -> None:
    await seed(app_container, slack)
    async with app_container.uow() as uow:  # linking is admin-only (domain.access)
        await uow.users.upsert_many([User("U0ADM1", "Ada Admin", role=Role.ADMIN)])
        await uow.commit()
    await user.command("log call: who?", channel="C0ACME")
    assert "isn't linked" in text_of(await reply(slack))
    await user.command("link Acme Industrial", channel="C0ACME", user="U0ADM1")
    assert "now tied to *Acme Industrial*" in text_of(await reply(slack, 2))
    await user.command("log call: linked channel call", channel="C0ACME")
    assert "with *Acme Industrial*" in text_of(await reply(slack, 3))
    [link] = await rows(app_container, ChannelLinkRow)
    assert (link.channel_id, link.linked_by) == ("C0ACME", "U0ADM1")
    await user.command("unlink", channel="C0ACME", user="U0ADM1")
    assert "no longer tied" in text_of(await reply(slack, 4))
    assert await rows(app_container, ChannelLinkRow) == []
    assert len(await rows(app_container, ActivityRow)) == 1


async def test_find_shows_clients_and_notes(
    user: SlackUser, slack: LocalSlack, app_container: Container
) -> None:
    await seed(app_container, slack)
    await user.command("log call C5: discussed stainless fasteners pricing")
    await reply(slack)
    await user.command("find fasteners")
    text = text_of(await reply(slack, 2))
    assert "Blue Ridge Fasteners" in text
    assert "stainless fasteners" in text


async def test_health_card_is_shareable_and_within_limits(
    user: SlackUser, slack: LocalSlack, app_container: Container
) -> None:
    await seed(app_container, slack)
    await user.command("health C3")
    card = await reply(slack)
    assert "Northwind Supply Co" in text_of(card)
    assert button(card, "Share in channel")
    assert not slack.violations


async def test_share_posts_a_fresh_card_to_the_channel(
    user: SlackUser, slack: LocalSlack, app_container: Container
) -> None:
    await seed(app_container, slack)
    await user.command("health Northwind", channel="C0SALES")
    share = button(await reply(slack), "Share in channel")
    await user.interact(click(REP, share, response_url=slack.response_url("s1"), channel="C0SALES"))
    [posted] = await slack.wait_for("chat.postMessage")
    assert posted.args["channel"] == "C0SALES"
    text = text_of(posted.args)
    assert "Northwind Supply Co" in text and f"Shared by <@{REP}>" in text
    assert "Share in channel" not in str(posted.args["blocks"])
    tampered = {**share, "value": "not-a-token"}
    await user.interact(click(REP, tampered, response_url=slack.response_url("s2")))
    assert "can't be shared" in text_of(await reply(slack, 2))
    assert len(slack.calls_to("chat.postMessage")) == 1


async def test_add_follow_up_opens_the_task_form_for_that_client(
    user: SlackUser, slack: LocalSlack, app_container: Container
) -> None:
    await seed(app_container, slack)
    await user.command("log call C3: asked about delivery")
    follow = button(await reply(slack), "Add follow-up task")
    await user.interact(click(REP, follow, response_url=slack.response_url("f1")))
    [opened] = await slack.wait_for("views.open")
    view = opened.args["view"]
    client = next(b for b in view["blocks"] if b["block_id"] == "client")
    assert client["element"]["initial_option"]["value"] == "C3"
    assert view["callback_id"] == "task_modal"


async def test_an_unknown_slack_user_is_added_as_a_rep_and_audited(
    user: SlackUser, slack: LocalSlack, app_container: Container
) -> None:
    await seed(app_container, slack)
    slack.users["U0NEW"] = {"real_name": "New Person", "tz": "Asia/Tokyo"}
    await user.command("task C5: first task", user="U0NEW")
    # Wed 17:00 UTC is already Thu 02:00 in Tokyo: the next working day is Friday
    assert "Fri 27 Nov, 09:00 JST" in text_of(await reply(slack))
    async with app_container.uow() as uow:
        added = await uow.users.get("U0NEW")
        audit = [e for e in await uow.audit.list() if e.action == "user.added"]
    assert added is not None and (added.name, added.role, added.timezone) == (
        "New Person",
        "rep",
        "Asia/Tokyo",
    )
    assert [e.entity_id for e in audit] == ["U0NEW"]


async def test_a_first_read_only_command_asks_slack_about_the_user_once(
    user: SlackUser, slack: LocalSlack, app_container: Container
) -> None:
    """``health`` is tried read-only, meets the first-contact write and runs again as a
    writer: the profile Slack gave the first try is used, not asked for again."""
    await seed(app_container, slack)
    slack.users["U0NEW2"] = {"real_name": "New Reader", "tz": "Asia/Tokyo"}
    await user.command("health C5", user="U0NEW2")
    assert "C5" in text_of(await reply(slack))
    assert [c.args.get("user") for c in slack.calls_to("users.info")] == ["U0NEW2"]
    async with app_container.uow() as uow:
        added = await uow.users.get("U0NEW2")
    assert added is not None and added.timezone == "Asia/Tokyo"
