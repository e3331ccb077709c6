"""The Bot Connector call behind ``teams.send`` rows, and how its answers are sorted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.localteams import LocalTeams
from domain.model import OutboxMessage
from domain.teams import TEAMS_SEND, TeamsConversationRef
from schedulers.outbox import _Answer, _retry_at
from schedulers.teams_delivery import TeamsDelivery, _sorted, activity_url

NOW = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)
CARD = {
    "contentType": "application/vnd.microsoft.card.adaptive",
    "content": {"type": "AdaptiveCard"},
}


def _row(service_url: str, conversation: str = "a:1 chat/ana") -> OutboxMessage:
    ref = TeamsConversationRef(conversation, service_url, "28:bot", teams_user_id="29:ana")
    payload: dict[str, object] = {
        "reference": ref.as_reference(),
        "activity": {"type": "message", "attachments": [CARD]},
    }
    return OutboxMessage(
        key="reminder:1", channel="U1", payload=payload, kind=TEAMS_SEND, attempts=1
    )


async def test_a_card_is_posted_into_the_conversation_with_the_bots_token() -> None:
    async def token() -> str:
        return "t0ken"

    async with LocalTeams() as connector:
        sent = await TeamsDelivery(tokens=token).deliver(_row(connector.service_url))
        [call] = connector.activities
    assert sent.outcome == "sent" and sent.activity_id == "act1"
    assert (call.method, call.path) == ("POST", "/v3/conversations/a:1 chat/ana/activities")
    assert call.json["attachments"] == [CARD]
    assert call.json["from"] == {"id": "28:bot"} and call.json["recipient"] == {"id": "29:ana"}
    assert connector.tokens == ["Bearer t0ken"]


async def test_transient_and_permanent_answers() -> None:
    async with LocalTeams() as connector:
        delivery = TeamsDelivery()
        for status, outcome in ((503, "transient"), (429, "transient"), (404, "permanent")):
            connector.fail_next(status)
            sent = await delivery.deliver(_row(connector.service_url))
            assert (sent.outcome, sent.error) == (outcome, f"http_{status}")
        gone = connector.service_url
    assert (await delivery.deliver(_row(gone))).outcome == "transient"  # nobody listening
    assert (await delivery.deliver(_row("not a url"))).outcome == "permanent"
    assert (await delivery.deliver(_row(gone, conversation=""))).outcome == "permanent"


def test_a_429_waits_as_long_as_retry_after_asks_without_pausing_slack() -> None:
    sent = _sorted(429, {"Retry-After": "120"}, {})
    assert (sent.outcome, sent.retry_after) == ("transient", 120.0)
    answer = _Answer(sent.outcome, sent.error, None, sent.retry_after)
    assert _retry_at(_row("https://x/"), answer, NOW) == NOW + timedelta(seconds=120)
    short = _Answer("transient", "http_429", None, 1.0)  # shorter than the back-off (5 s)
    assert _retry_at(_row("https://x/"), short, NOW) == NOW + timedelta(seconds=5)


def test_the_activity_url_quotes_the_conversation_id() -> None:
    reference = {
        "serviceUrl": "https://smba.trafficmanager.net/emea/",
        "conversation": {"id": "a:x/y"},
    }
    assert activity_url(reference) == (
        "https://smba.trafficmanager.net/emea/v3/conversations/a%3Ax%2Fy/activities"
    )
