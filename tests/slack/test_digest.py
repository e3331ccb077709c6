"""``/crm digest`` and the digest's buttons, through signed requests and the Slack stand-in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.bootstrap import Container
from bot.localslack import LocalSlack
from domain.model import Task
from schedulers.jobs import run_job
from storage.models import TaskRow
from tests.slack.chat_fixtures import MANAGER, OTHER, REP, button, click, reply, rows, seed, text_of
from tests.slack.conftest import SlackUser


async def _task(container: Container, title: str, due: datetime) -> None:
    async with container.uow() as uow:
        await uow.tasks.add(Task(title=title, assignee_slack_user_id=REP, due_at=due,
                                 created_at=due - timedelta(days=2)))  # fmt: skip
        await uow.commit()


async def test_crm_digest_sends_it_now_with_done_buttons(
    user: SlackUser, slack: LocalSlack, app_container: Container
) -> None:
    await seed(app_container, slack)
    now = app_container.clock()
    await _task(app_container, "Call <Acme> back", now - timedelta(days=1))
    await _task(app_container, "Send the catalogue", now + timedelta(hours=2))
    await user.command("digest")
    assert "on its way" in text_of(await reply(slack))
    [dm] = await slack.wait_for("chat.postMessage")
    assert dm.args["channel"] == REP
    text = text_of(dm.args)
    assert "1 overdue, 1 due today" in text and "Call &lt;Acme&gt; back" in text
    assert not slack.violations
    # the Done button on the digest completes the task
    done = button(dm.args, "Done")
    await user.interact(click(REP, done, response_url=slack.response_url("d1")))
    assert "Done" in text_of(await reply(slack, 2))
    statuses = sorted(r.status for r in await rows(app_container, TaskRow))
    assert statuses == ["done", "open"]


async def test_crm_digest_with_nothing_to_report_says_so_and_sends_nothing(
    user: SlackUser, slack: LocalSlack, app_container: Container
) -> None:
    await seed(app_container, slack)
    await user.command("digest", user=OTHER)
    assert "Nothing to report" in text_of(await reply(slack))
    await run_job(app_container, "outbox", now=app_container.clock())
    assert slack.calls_to("chat.postMessage") == []


async def test_the_scheduled_digest_reaches_slack_once_even_under_429s(
    user: SlackUser, slack: LocalSlack, app_container: Container
) -> None:
    await seed(app_container, slack)
    await _task(app_container, "Overdue thing", datetime(2026, 11, 20, tzinfo=UTC))
    monday_8am_la = datetime(2026, 11, 23, 16, 0, tzinfo=UTC)
    await run_job(app_container, "digest", now=monday_8am_la)
    slack.fail_next("chat.postMessage", status=429, retry_after=1)
    for seconds in (0, 2, 5):
        later = monday_8am_la + timedelta(seconds=seconds)
        await run_job(app_container, "digest", now=later)
        await run_job(app_container, "outbox", now=later)
    calls = slack.calls_to("chat.postMessage")
    assert [c.error for c in calls].count("ratelimited") == 1
    sent = [c.args for c in calls if c.error is None]
    # the rep's digest, and their manager's (in London, also past 08:00) with the team line
    assert sorted(a["channel"] for a in sent) == sorted([REP, MANAGER])
    mine = next(a for a in sent if a["channel"] == REP)
    assert "Overdue thing" in text_of(mine)
    boss = next(a for a in sent if a["channel"] == MANAGER)
    assert f"<@{REP}> — 1 overdue" in text_of(boss)
