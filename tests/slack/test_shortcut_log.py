"""The "Log to CRM" message shortcut and the "New CRM task" global shortcut, through signed
requests into the real app, with the Web API answered by the local Slack stand-in."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from bot.bootstrap import Container
from bot.localslack import LocalSlack
from storage.models import ActivityRow, AuditRow, ClientRow, TaskRow, UserRow
from tests.slack.chat_fixtures import OTHER, REP, button, click, rows, seed, text_of
from tests.slack.conftest import SlackUser

SENT = datetime(2026, 11, 24, 22, 30, 15, tzinfo=UTC)  # the message: a day before the click
TS = f"{int(SENT.timestamp())}.000200"
CHANNEL = "C0DEALS"


def message_action(
    slack: LocalSlack,
    text: str,
    *,
    channel: str = CHANNEL,
    ts: str = TS,
    author: str = OTHER,
    user_team: str = "T0001",
    name: str = "r",
) -> dict[str, Any]:
    return {
        "type": "message_action",
        "callback_id": "log_message",
        "trigger_id": f"{uuid.uuid4().hex}.trig",
        "team": {"id": "T0001", "domain": "crmbot-local"},
        "user": {"id": REP, "team_id": "T0001"},
        "channel": {"id": channel, "name": "deals"},
        "api_app_id": "A0001",
        "message_ts": ts,
        "response_url": slack.response_url(name),
        "message": {
            "type": "message",
            "user": author,
            "ts": ts,
            "text": text,
            "team": user_team,
            "user_team": user_team,
            "source_team": user_team,
            "user_profile": {"real_name": "Sam Rep"} if author == OTHER else {},
        },
    }


async def open_form(
    user: SlackUser, slack: LocalSlack, text: str, *, count: int = 1, **kwargs: Any
) -> dict[str, Any]:
    status, ack = await user.interact(message_action(slack, text, **kwargs))
    assert (status, ack) == (200, "")
    calls = await slack.wait_for("views.open", count)
    return dict(calls[count - 1].args["view"])


def blocks_of(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b.get("block_id", f"#{i}"): b for i, b in enumerate(view["blocks"])}


def submit(view: dict[str, Any], **values: Any) -> dict[str, Any]:
    """A view_submission of ``view`` with the form's initial values, overridden by ``values``."""
    state: dict[str, dict[str, Any]] = {}
    for block_id, block in blocks_of(view).items():
        if block.get("type") != "input":
            continue
        element = block["element"]
        if block_id in values:
            value = values[block_id]
        elif "initial_option" in element:
            value = element["initial_option"]["value"]
        else:
            value = element.get("initial_value")
        state[block_id] = {block_id: _element(element["type"], value)}
    return {
        "type": "view_submission",
        "team": {"id": "T0001"},
        "user": {"id": REP},
        "api_app_id": "A0001",
        "trigger_id": f"{uuid.uuid4().hex}.sub",
        "view": {**view, "id": "V1", "state": {"values": state}},
    }


def _element(kind: str, value: Any) -> dict[str, Any]:
    if kind in ("external_select", "static_select"):
        return {"type": kind, "selected_option": {"value": value} if value else None}
    return {"type": kind, "value": value}


async def activities(container: Container) -> list[Any]:
    async with container.engine.connect() as conn:
        query = (
            select(
                ActivityRow.__table__,
                ClientRow.external_id.label("client_xid"),
                UserRow.slack_user_id.label("author"),
            )
            .join(ClientRow, ClientRow.id == ActivityRow.client_id)
            .outerjoin(UserRow, UserRow.id == ActivityRow.author_id)
            .order_by(ActivityRow.id)
        )
        return [(r, r.client_xid, r.author) for r in await conn.execute(query)]


async def link(container: Container, channel: str, external_id: str) -> None:
    async with container.uow() as uow:
        client = await uow.clients.get(external_id)
        assert client is not None and client.id is not None
        await uow.links.link(channel, client.id, by=REP, now=SENT)
        await uow.commit()


async def test_unlinked_channel_offers_a_picker_and_logs_at_the_message_time(
    user: SlackUser, slack: LocalSlack, app_container: Container
) -> None:
    await seed(app_container, slack)
    text = "Called <@U0MGR1> about the Q1 order &amp; pricing <https://x.io/q|the quote>"
    view = await open_form(user, slack, text)
    blocks = blocks_of(view)
    assert view["callback_id"] == "log_message_modal"
    assert "initial_option" not in blocks["client"]["element"]  # nothing guessed
    assert blocks["client"]["element"]["type"] == "external_select"
    assert blocks["type"]["element"]["initial_option"]["value"] == "call"
    notes = blocks["notes"]["element"]["initial_value"]
    assert notes == (
        "Message from Sam Rep:\nCalled @Mo Manager about the Q1 order & pricing "
        "the quote (https://x.io/q)"
    )
    about = text_of({"blocks": [blocks["#0"]]}) + str(blocks["#0"])
    assert f"<@{OTHER}>" in about and f"<!date^{int(SENT.timestamp())}^" in about
    # the typeahead behind the picker
    status, options = await user.interact(
        {
            "type": "block_suggestion",
            "team": {"id": "T0001"},
            "user": {"id": REP},
            "api_app_id": "A0001",
            "action_id": "client",
            "block_id": "client",
            "value": "northw",
            "view": view,
        }
    )
    assert status == 200
    assert [o["value"] for o in options["options"]] == ["C3"]
    status, answer = await user.interact(submit(view, client="C3"))
    assert (status, answer) == (200, "")
    [(row, client, author)] = await activities(app_container)
    assert (client, author, row.type, row.source) == ("C3", REP, "call", "shortcut")
    # the message's time to the microsecond, not the click's (2026-11-25 17:00)
    assert row.occurred_at == SENT.replace(microsecond=200)
    assert row.notes == notes
    assert row.source_ref == f"{CHANNEL}:{TS}"
    [link_call] = slack.calls_to("chat.getPermalink")
    assert link_call.args == {"channel": CHANNEL, "message_ts": TS}
    archive = f"https://crmbot-local.slack.com/archives/{CHANNEL}"
    assert row.permalink == f"{archive}/p{TS.replace('.', '')}"
    [confirm] = await slack.wait_for("response_url")
    shown = text_of(confirm.args)
    assert "Logged a *call* with *Northwind Supply Co*" in shown and f"<@{OTHER}>" in shown
    assert row.permalink in str(confirm.args["blocks"])
    assert confirm.args["response_type"] == "ephemeral"
    audit = [a for a in await rows(app_container, AuditRow) if a.action == "activity.logged"]
    assert [(a.actor, a.surface) for a in audit] == [(REP, "shortcut")]
    undo = button(confirm.args, "Undo")
    await user.interact(click(REP, undo, response_url=slack.response_url("undo"), channel=CHANNEL))
    await slack.wait_for("response_url", 2)
    [(row, _, _)] = await activities(app_container)
    assert row.deleted_at is not None
    assert not slack.violations


async def test_linked_channel_prefills_its_client(
    user: SlackUser, slack: LocalSlack, app_container: Container
) -> None:
    await seed(app_container, slack)
    await link(app_container, CHANNEL, "C5")
    view = await open_form(user, slack, "Emailed them the spec sheet", author=REP)
    blocks = blocks_of(view)
    assert blocks["client"]["element"]["initial_option"]["value"] == "C5"
    assert blocks["type"]["element"]["initial_option"]["value"] == "email"
    assert blocks["notes"]["element"]["initial_value"].startswith("Message from Dana Rep:\n")
    slack.fail_next("response_url", status=500)  # the ephemeral can't be shown: a DM instead
    status, answer = await user.interact(submit(view))
    assert (status, answer) == (200, "")
    [(row, client, author)] = await activities(app_container)
    assert (client, author, row.type) == ("C5", REP, "email")
    [dm] = await slack.wait_for("chat.postMessage")
    assert dm.args["channel"] == REP
    assert "Logged a *email* with *Blue Ridge Fasteners*" in text_of(dm.args)
    assert button(dm.args, "Undo")["value"] == str(row.id)
    assert not slack.violations


async def test_shared_channel_linked_to_a_client_logs_to_it_without_a_picker(
    user: SlackUser, slack: LocalSlack, app_container: Container
) -> None:
    await seed(app_container, slack)
    await link(app_container, "C0SHARED", "C1")
    outside = {"author": "U0EXT", "user_team": "T0EXT"}  # from another organisation
    view = await open_form(user, slack, "Can we meet on Tuesday?", channel="C0SHARED", **outside)
    blocks = blocks_of(view)
    assert "client" not in blocks
    assert "Acme Industrial" in text_of(view) and "shared channel" in text_of(view)
    assert blocks["type"]["element"]["initial_option"]["value"] == "meeting"
    status, answer = await user.interact(submit(view, client="C2"))  # a stray value is ignored
    assert (status, answer) == (200, "")
    [(row, client, _)] = await activities(app_container)
    assert (client, row.source_ref) == ("C1", f"C0SHARED:{TS}")
    # the same channel when it is not linked: the picker is back
    view = await open_form(user, slack, "hello", count=2, channel="C0SHARED2", **outside)
    assert "client" in blocks_of(view)
    assert not slack.violations


async def test_field_errors_come_back_in_the_form_and_save_nothing(
    user: SlackUser, slack: LocalSlack, app_container: Container
) -> None:
    await seed(app_container, slack)
    view = await open_form(user, slack, "quick note")
    cases = [
        ({"client": None}, "client", "Pick a client"),
        ({"client": "C1", "notes": "  "}, "notes", "Write what happened"),
        ({"client": "NOPE"}, "client", "Pick a client"),
        ({"client": "C1", "follow_up_when": "tomorrow"}, "follow_up", "Say what the follow-up"),
        (
            {"client": "C1", "follow_up": "Send quote", "follow_up_when": "yesterday 9am"},
            "follow_up_when",
            "past",
        ),
        (
            {"client": "C1", "follow_up": "Send quote", "follow_up_when": "blurgh"},
            "follow_up_when",
            "couldn't read",
        ),
    ]
    for values, field, words in cases:
        status, answer = await user.interact(submit(view, **values))
        assert status == 200 and answer["response_action"] == "errors", values
        assert list(answer["errors"]) == [field], answer
        assert words in answer["errors"][field], answer
    assert await activities(app_container) == []
    assert await rows(app_container, TaskRow) == []
    # the same form, fixed, goes through; the follow-up is due in the clicker's zone
    status, answer = await user.interact(
        submit(view, client="C1", follow_up="Send the quote", follow_up_when="tomorrow 3pm")
    )
    assert (status, answer) == (200, "")
    [task] = await rows(app_container, TaskRow)
    assert task.title == "Send the quote"
    assert task.due_at.isoformat() == "2026-11-26T23:00:00+00:00"  # 15:00 in Los Angeles
    [confirm] = await slack.wait_for("response_url")
    assert "Send the quote" in text_of(confirm.args)
    # a second submission of the same form logs nothing more
    status, answer = await user.interact(submit(view, client="C1"))
    assert answer["response_action"] == "errors" and "was sent" in answer["errors"]["notes"]
    assert len(await activities(app_container)) == 1
    assert not slack.violations


async def test_logging_a_message_twice_asks_first(
    user: SlackUser, slack: LocalSlack, app_container: Container
) -> None:
    await seed(app_container, slack)
    first = await open_form(user, slack, "Called them back")
    second = await open_form(user, slack, "Called them back", count=2)  # opened before a log
    assert await user.interact(submit(first, client="C1")) == (200, "")
    _, answer = await user.interact(submit(second, client="C1"))
    assert answer["response_action"] == "errors"
    warning = answer["errors"]["notes"]
    assert "already logged on Tue 24 Nov" not in warning  # logged at the click, not the message
    assert "already logged on Wed 25 Nov" in warning and "by Dana Rep" in warning
    assert "submit again" in warning
    assert len(await activities(app_container)) == 1
    assert await user.interact(submit(second, client="C1")) == (200, "")
    assert len(await activities(app_container)) == 2
    # opened after a log, the form says so up front
    third = await open_form(user, slack, "Called them back", count=3)
    assert "already logged" in text_of(third) and "Dana Rep" in text_of(third)
    assert not slack.violations


async def test_a_long_message_is_shown_cut_and_stored_whole(
    user: SlackUser, slack: LocalSlack, app_container: Container
) -> None:
    await seed(app_container, slack)
    text = " ".join(f"word{i}" for i in range(1500))  # ~10,000 characters
    view = await open_form(user, slack, text, author=REP)
    notes = blocks_of(view)["notes"]
    assert len(notes["element"]["initial_value"]) == 3000
    assert "first 3,000" in notes["hint"]["text"]
    assert await user.interact(submit(view, client="C1")) == (200, "")
    [(row, _, _)] = await activities(app_container)
    assert row.notes == f"Message from Dana Rep:\n{text}"
    # an edited box is what gets stored
    view = await open_form(user, slack, text, count=2, ts="1764000000.000100", author=REP)
    assert await user.interact(submit(view, client="C1", notes="Summary: they agreed")) == (
        200,
        "",
    )
    assert (await activities(app_container))[1][0].notes == "Summary: they agreed"
    assert not slack.violations


async def test_global_shortcut_opens_the_task_form(
    user: SlackUser, slack: LocalSlack, app_container: Container
) -> None:
    await seed(app_container, slack)
    status, ack = await user.interact(
        {
            "type": "shortcut",
            "callback_id": "new_task",
            "trigger_id": f"{uuid.uuid4().hex}.trig",
            "team": {"id": "T0001"},
            "user": {"id": REP, "team_id": "T0001"},
            "api_app_id": "A0001",
        }
    )
    assert (status, ack) == (200, "")
    [call] = await slack.wait_for("views.open")
    assert call.args["view"]["callback_id"] == "task_modal"
    assert not slack.violations
