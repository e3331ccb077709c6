"""Risk alert buttons through signed requests: **Create retention task**, **Snooze 7 days**."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.bootstrap import Container
from bot.config import Policy, RiskPolicy
from bot.localslack import LocalSlack
from schedulers.jobs import run_job
from storage.models import RiskAlertRow, TaskRow
from tests.integration.alerts_fixtures import keep_scores, record
from tests.slack.chat_fixtures import (
    OTHER,
    REP,
    button,
    buttons,
    click,
    reply,
    rows,
    seed,
    text_of,
)
from tests.slack.conftest import SlackUser


async def _alerts(container: Container, slack: LocalSlack, *clients: str) -> list[dict[str, Any]]:
    """Scores that put ``clients`` (owned by REP) at high risk; the alerts Slack received."""
    async with container.uow() as uow:
        ids = await uow.clients.ids_for(clients)
    today: date = container.clock().date()
    await keep_scores(container, today, [record(ids[x], x, today, risk=75) for x in clients])
    await run_job(container, "risk-alerts", now=container.clock())
    await run_job(container, "outbox", now=container.clock())
    posted = await slack.wait_for("chat.postMessage", len(clients))
    return [c.args for c in posted]


def _click(user: str, args: dict[str, Any], label: str, url: str) -> dict[str, Any]:
    payload = click(user, button(args, label), response_url=url, channel="D0REP1")
    payload["message"] = {"ts": "1.0", "blocks": args["blocks"]}
    return payload


async def test_create_retention_task_from_an_alert(
    user: SlackUser, slack: LocalSlack, app_container: Container
) -> None:
    await seed(app_container, slack)
    [alert] = await _alerts(app_container, slack, "C3")
    assert alert["channel"] == REP and "Northwind Supply Co" in text_of(alert)
    await user.interact(_click(REP, alert, "Create retention task", slack.response_url("r1")))
    answer = await reply(slack)
    assert answer.get("replace_original") is True
    assert "Retention task created" in text_of(answer)
    assert "Create retention task" not in str(answer["blocks"])  # buttons gone
    [task] = await rows(app_container, TaskRow)
    assert (task.title, task.rule, task.origin) == ("Retention outreach", "retention", "manual")
    # a second click (or Slack's retry) changes nothing
    await user.interact(_click(REP, alert, "Create retention task", slack.response_url("r2")))
    assert "already" in text_of(await reply(slack, 2))
    assert len(await rows(app_container, TaskRow)) == 1
    async with app_container.uow() as uow:
        actions = [e.action for e in await uow.audit.list(client_external_id="C3")]
    assert actions == ["risk_alert.raised", "task.created"]


async def test_snooze_seven_days_then_alert_again_if_still_high(
    user: SlackUser, slack: LocalSlack, app_container: Container
) -> None:
    await seed(app_container, slack)
    [alert] = await _alerts(app_container, slack, "C5")
    await user.interact(_click(REP, alert, "Snooze 7 days", slack.response_url("z1")))
    answer = await reply(slack)
    assert "Snoozed until Wed 2 Dec" in text_of(answer) and answer.get("replace_original")
    async with app_container.uow() as uow:
        [row] = (await uow.session.execute(select(RiskAlertRow))).scalars().all()
        assert row.snoozed_until == app_container.clock() + timedelta(days=7)
    # six days on: nothing; seven days on, still high: the alert comes back
    await run_job(app_container, "risk-alerts", now=app_container.clock() + timedelta(days=6))
    later = app_container.clock() + timedelta(days=7, minutes=1)
    counts = (await run_job(app_container, "risk-alerts", now=later)).counts
    assert counts["woken"] == 1 and counts["sent"] == 1
    await run_job(app_container, "outbox", now=later)
    [_, again] = await slack.wait_for("chat.postMessage", 2)
    assert "is still high" in text_of(again.args) and again.args["channel"] == REP


async def test_only_the_owner_may_act_on_an_alert(
    user: SlackUser, slack: LocalSlack, app_container: Container
) -> None:
    await seed(app_container, slack)
    [alert] = await _alerts(app_container, slack, "C1")
    await user.interact(_click(OTHER, alert, "Create retention task", slack.response_url("o1")))
    assert "owner" in text_of(await reply(slack))
    assert await rows(app_container, TaskRow) == []
    assert not slack.violations


async def test_a_folded_alert_is_acted_on_from_the_digest(
    user: SlackUser, slack: LocalSlack, app_container: Container
) -> None:
    await seed(app_container, slack)
    app_container._policy = Policy(risk=RiskPolicy(max_alerts_per_day=1))
    async with app_container.uow() as uow:
        ids = await uow.clients.ids_for(["C1", "C3"])
    today: date = app_container.clock().date()
    await keep_scores(app_container, today, [record(ids[x], x, today, risk=75) for x in ids])
    counts = (await run_job(app_container, "risk-alerts", now=app_container.clock())).counts
    assert (counts["sent"], counts["folded"]) == (1, 1)
    # the next morning, 08:00 in Los Angeles: the digest lists both, buttons for the folded one
    morning = datetime(2026, 11, 26, 16, 0, tzinfo=UTC)
    await run_job(app_container, "digest", now=morning)
    await run_job(app_container, "outbox", now=morning)
    posted = await slack.wait_for("chat.postMessage", 2)  # the one alert sent, the digest
    digest = next(c.args for c in posted if c.args["text"].startswith("Your digest"))
    assert "Clients that turned high-risk" in text_of(digest)
    assert [b["text"]["text"] for b in buttons(digest)] == [
        "Create retention task",
        "Snooze 7 days",
    ]
    await user.interact(_click(REP, digest, "Create retention task", slack.response_url("g1")))
    answer = await reply(slack)
    assert answer.get("replace_original") is False  # the digest stays as it was
    assert "Retention task created" in text_of(answer)
    [task] = await rows(app_container, TaskRow)
    assert task.rule == "retention"
