"""/crm settings through the real app: the modal, its field errors, and the settings in use."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.bootstrap import Container
from bot.config import load_policy
from bot.localslack import LocalSlack
from schedulers.jobs import run_job
from storage.models import AuditRow, UserPreferencesRow
from tests.slack.chat_fixtures import REP, reply, rows, seed, text_of
from tests.slack.conftest import SlackUser
from tests.slack.test_reminders import reminder_dms, submit


async def opened(user: SlackUser, slack: LocalSlack, count: int = 1) -> dict[str, Any]:
    status, ack = await user.command("settings")
    assert (status, ack) == (200, "")
    return dict((await slack.wait_for("views.open", count))[count - 1].args["view"])


def blocks(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}


def values(
    *, hour: str | None = "7", days: tuple[str, ...] = ("mon", "wed"), **more: Any
) -> dict[str, dict[str, Any]]:
    chosen: dict[str, dict[str, Any]] = {
        "digest_days": {"type": "checkboxes", "selected_options": [{"value": d} for d in days]},
        "alerts": {
            "type": "checkboxes",
            "selected_options": [{"value": a} for a in more.pop("alerts", ("reminders",))],
        },
        "quiet_start": {"type": "timepicker", "selected_time": more.pop("start", None)},
        "quiet_end": {"type": "timepicker", "selected_time": more.pop("end", None)},
    }
    if hour is not None:
        chosen["digest_hour"] = {"type": "static_select", "selected_option": {"value": hour}}
    return chosen


async def test_opens_with_the_policy_defaults_saves_and_reopens_with_the_saved(
    user: SlackUser, slack: LocalSlack, app_container: Container, tmp_path: Path
) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text('[digest]\nhour = 9\ndays = ["tue", "thu"]\n')
    app_container._policy = load_policy(policy)
    await seed(app_container, slack)
    view = await opened(user, slack)
    assert view["callback_id"] == "settings_modal"
    form = blocks(view)
    assert form["digest_hour"]["initial_option"]["value"] == "9"
    assert [o["value"] for o in form["digest_days"]["initial_options"]] == ["tue", "thu"]
    assert len(form["alerts"]["initial_options"]) == 4  # every alert is on until turned off
    assert "initial_time" not in form["quiet_start"]
    assert "America/Los_Angeles" in view["blocks"][0]["text"]["text"]
    chosen = values(start="22:00", end="07:00", alerts=("reminders", "digest"))
    status, answer = await user.interact(submit(view, chosen))
    assert (status, answer) == (200, "")
    [confirm] = await slack.wait_for("chat.postEphemeral")
    text = text_of(confirm.args)
    assert "07:00 on Mon, Wed" in text and "22:00–07:00" in text and "Risk alerts off" in text
    [saved] = await rows(app_container, UserPreferencesRow)
    assert (saved.digest_hour, saved.digest_days, saved.quiet_start, saved.quiet_end) == (
        7,
        ["mon", "wed"],
        "22:00",
        "07:00",
    )
    assert saved.alerts == {"reminders": True, "risk": False, "digest": True, "auto_tasks": False}
    [audit] = [r for r in await rows(app_container, AuditRow) if r.action == "settings.saved"]
    assert (audit.actor, audit.surface, audit.entity_id) == (REP, "modal", REP)
    assert audit.details["before"]["digest_hour"] == 9
    assert audit.details["after"]["quiet_start"] == "22:00"
    again = blocks(await opened(user, slack, 2))
    assert again["digest_hour"]["initial_option"]["value"] == "7"
    assert again["quiet_start"]["initial_time"] == "22:00"
    assert [o["value"] for o in again["alerts"]["initial_options"]] == ["reminders", "digest"]
    assert not slack.violations


async def test_field_errors_come_back_and_nothing_is_saved(
    user: SlackUser, slack: LocalSlack, app_container: Container
) -> None:
    await seed(app_container, slack)
    view = await opened(user, slack)
    cases = [
        (values(start="22:00"), "quiet_end", "both ends"),
        (values(start="09:00", end="09:00"), "quiet_end", "same time"),
        (values(days=(), alerts=("digest",)), "digest_days", "at least one day"),
        (values(hour=None), "digest_hour", "hour"),
        (values(days=("mon", "funday")), "digest_days", "days of the week"),
    ]
    for chosen, field, says in cases:
        status, answer = await user.interact(submit(view, chosen))
        assert status == 200 and answer["response_action"] == "errors"
        assert says in answer["errors"][field]
    assert await rows(app_container, UserPreferencesRow) == []
    assert not [r for r in await rows(app_container, AuditRow) if r.action == "settings.saved"]
    # the digest off, no days: that is fine
    assert (await user.interact(submit(view, values(days=(), alerts=()))))[1] == ""


async def test_saved_quiet_hours_hold_a_reminder_until_they_end(
    user: SlackUser, slack: LocalSlack, app_container: Container
) -> None:
    await seed(app_container, slack)
    await user.command("task C5: late call | tomorrow 11pm")  # Thu 23:00 PST = Fri 07:00 UTC
    await reply(slack)
    view = await opened(user, slack)
    await user.interact(submit(view, values(start="22:00", end="06:30")))
    due = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)
    ends = datetime(2026, 11, 27, 14, 30, tzinfo=UTC)  # Fri 06:30 PST
    assert (await run_job(app_container, "reminders", now=due)).counts["held"] == 1
    for now in (due, ends - timedelta(minutes=1)):
        await run_job(app_container, "reminders", now=now)
        await run_job(app_container, "outbox", now=now)
    assert await reminder_dms(slack) == []
    assert (await run_job(app_container, "reminders", now=ends)).counts["sent"] == 1
    await run_job(app_container, "outbox", now=ends)
    [dm] = await reminder_dms(slack)
    assert "was due Thu 26 Nov, 23:00 PST" in text_of(dm)
    [held] = [r for r in await rows(app_container, AuditRow) if r.action == "task.reminder_held"]
    assert held.details["until"] == ends.isoformat()
