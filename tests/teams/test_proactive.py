"""Reminders, digests and alerts reach each user on the platform they chose.

A user who picked Teams in their settings, and has written to the bot there, gets their
direct messages as Adaptive Cards posted into their personal chat (at the local Bot
Connector); everyone else gets them on Slack (at the local Slack), as before. The outbox
sends each message once, retries what the connector refuses for the moment, and gives up
on what it refuses for good.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.bootstrap import Container
from bot.localslack import LocalSlack
from bot.localteams import LocalTeams
from bot.notifier import notifier
from domain.cards import Card, Text
from domain.model import Task, User, UserPreferences
from domain.services.teams_refs import remember
from domain.teams import TeamsConversationRef
from schedulers.jobs import run_job
from storage.models import OutboxRow
from tests.teams.conftest import TeamsUser, card_of, link_teams, texts

NOW = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)
ANA_CHAT = "a:personal-ana"


async def _people(container: Container, *, ana_on: str = "teams") -> None:
    """Ana (chose ``ana_on``) and Bo (Slack), each with a task whose reminder is due."""
    async with container.uow() as uow:
        await uow.users.upsert_many([User("ANA", "Ana"), User("BO", "Bo")])
        await uow.tasks.add_many(
            [
                Task("Call Acme back", "ANA", NOW - timedelta(minutes=5)),
                Task("Send Globex the quote", "BO", NOW - timedelta(minutes=5)),
            ]
        )
        await uow.preferences.put(UserPreferences("ANA", platform=ana_on), now=NOW)
        await uow.commit()


async def _ana_wrote_from(container: Container, service_url: str) -> None:
    """What the Teams message handler does with Ana's first message (see test below)."""
    ref = TeamsConversationRef(ANA_CHAT, service_url, "28:crmbot-app", aad_object_id="aad-ana")
    await link_teams(container, "ANA")
    async with container.uow() as uow:
        assert await remember(uow, ref, email=None, now=NOW) is not None
        await uow.commit()


async def _outbox(container: Container) -> list[tuple[str, str, str, int, str | None]]:
    async with container.engine.connect() as conn:
        rows = await conn.execute(
            select(OutboxRow.kind, OutboxRow.channel, OutboxRow.status, OutboxRow.attempts,
                   OutboxRow.last_error).order_by(OutboxRow.channel)
        )  # fmt: skip
        return [tuple(r) for r in rows]  # type: ignore[misc]


def _posts(connector: LocalTeams) -> list[dict[str, Any]]:
    path = f"/v3/conversations/{ANA_CHAT}/activities"
    return [r.json for r in connector.sent("POST") if r.path == path]


async def test_a_reminder_reaches_teams_once_for_who_chose_it_and_slack_for_the_rest(
    teams: TeamsUser, teams_container: Container, connector: LocalTeams, slack: LocalSlack
) -> None:
    await _people(teams_container)
    await link_teams(teams_container, "ANA")
    await teams.say("ANA", "tasks")  # the handler keeps Ana's personal chat
    if teams_container._delivery is not None:  # the drain the command started: let it end,
        await teams_container._delivery  # so that only the jobs below send
    before = len(connector.activities)
    for _ in range(2):  # re-running the jobs queues and sends nothing twice
        await run_job(teams_container, "reminders", now=NOW)
        await run_job(teams_container, "outbox", now=NOW)
    [sent] = connector.activities[before:]
    assert (sent.method, sent.path) == ("POST", f"/v3/conversations/{ANA_CHAT}/activities")
    assert sent.json["type"] == "message" and sent.json["from"]["id"] == "28:crmbot-app"
    assert "Call Acme back" in texts(card_of(sent.json))
    assert connector.tokens[-1] is None  # no TEAMS_APP_ID: local, unauthenticated mode
    [dm] = slack.calls_to("chat.postMessage")
    assert dm.args["channel"] == "BO" and "Send Globex the quote" in str(dm.args["blocks"])
    assert "Call Acme back" not in str(slack.calls)
    assert [(k, c, s) for k, c, s, *_ in await _outbox(teams_container)] == [
        ("teams.send", "ANA", "sent"),
        ("chat.postMessage", "BO", "sent"),
    ]


async def test_who_chose_slack_or_never_wrote_on_teams_gets_slack(
    teams_container: Container, connector: LocalTeams, slack: LocalSlack
) -> None:
    await _people(teams_container, ana_on="slack")
    await _ana_wrote_from(teams_container, connector.service_url)
    await run_job(teams_container, "reminders", now=NOW)
    await run_job(teams_container, "outbox", now=NOW)
    assert connector.activities == []
    assert sorted(c.args["channel"] for c in slack.calls_to("chat.postMessage")) == ["ANA", "BO"]


async def test_a_connector_error_is_retried_after_the_back_off(
    teams_container: Container, connector: LocalTeams
) -> None:
    await _people(teams_container)
    await _ana_wrote_from(teams_container, connector.service_url)
    await run_job(teams_container, "reminders", now=NOW)
    connector.fail_next(500)
    await run_job(teams_container, "outbox", now=NOW)
    assert len(_posts(connector)) == 1
    assert await _outbox(teams_container) == [
        ("teams.send", "ANA", "pending", 1, "http_500"),
        ("chat.postMessage", "BO", "sent", 1, None),
    ]
    await run_job(teams_container, "outbox", now=NOW + timedelta(seconds=1))  # backing off
    assert len(_posts(connector)) == 1
    await run_job(teams_container, "outbox", now=NOW + timedelta(seconds=30))
    await run_job(teams_container, "outbox", now=NOW + timedelta(seconds=60))
    first, again = _posts(connector)
    assert first == again and "Call Acme back" in texts(card_of(again))
    assert (await _outbox(teams_container))[0][2:4] == ("sent", 2)


async def test_a_refused_message_fails_for_good(
    teams_container: Container, connector: LocalTeams
) -> None:
    await _people(teams_container)
    await _ana_wrote_from(teams_container, connector.service_url)
    await run_job(teams_container, "reminders", now=NOW)
    connector.fail_next(403)  # e.g. the user uninstalled the app
    await run_job(teams_container, "outbox", now=NOW)
    await run_job(teams_container, "outbox", now=NOW + timedelta(hours=1))
    assert len(_posts(connector)) == 1
    assert (await _outbox(teams_container))[0][2:] == ("failed", 1, "http_403")


async def test_the_morning_digest_of_a_teams_user_comes_in_teams(
    teams_container: Container, connector: LocalTeams, slack: LocalSlack
) -> None:
    await _people(teams_container)
    await _ana_wrote_from(teams_container, connector.service_url)
    eight = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)  # a Wednesday, in UTC (the default zone)
    await run_job(teams_container, "digest", now=eight)
    await run_job(teams_container, "outbox", now=eight)
    [digest] = _posts(connector)
    assert "Call Acme back" in texts(card_of(digest))
    assert [c.args["channel"] for c in slack.calls_to("chat.postMessage")] == ["BO"]


async def test_people_a_card_mentions_are_named_in_teams(
    teams_container: Container, connector: LocalTeams
) -> None:
    await _people(teams_container)
    await _ana_wrote_from(teams_container, connector.service_url)
    card = Card("Team", (Text("<@BO> — 1 overdue, 0 due today"),))
    async with teams_container.uow() as uow:
        assert await notifier().notify(uow, to="ANA", card=card, key="team:1", now=NOW)
        assert not await notifier().notify(uow, to="ANA", card=card, key="team:1", now=NOW)
        await uow.commit()
    await run_job(teams_container, "outbox", now=NOW)
    [sent] = _posts(connector)
    assert texts(card_of(sent)).startswith("Bo — 1 overdue")
