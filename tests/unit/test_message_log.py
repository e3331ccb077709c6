"""Logging a chat message (domain only, on the fakes): the type guess, the message's
markup made plain, the draft, and the submission's rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.cards import Card
from domain.chat.guess import guess_type
from domain.chat.message_text import mentioned_users, plain
from domain.model import ActivityType, Client, Surface, User
from domain.ports import UnitOfWork
from domain.services.identity import Actor
from domain.services.message_log import draft, submit
from domain.services.message_log_model import FORM_NOTES_MAX, ChatMessage, FieldError, Submission
from domain.webhooks import NO_WEBHOOKS
from tests.fakes import FakeUnitOfWorkFactory

NOW = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)
SENT = datetime(2026, 11, 24, 9, 15, 30, tzinfo=UTC)
TS = f"{int(SENT.timestamp())}.000100"


class NoNotices:
    async def notify(
        self, uow: UnitOfWork, *, to: str, card: Card, key: str, now: datetime
    ) -> bool:
        return True


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Called Bo to set up a meeting", ActivityType.CALL),
        ("Met with Bo; will email the quote", ActivityType.MEETING),
        ("Just emailed them the contract", ActivityType.EMAIL),
        ("From: bo@acme.io\nTo: me@us.io\nSubject: prices\n\nhi", ActivityType.EMAIL),
        ("Quick Zoom with procurement", ActivityType.MEETING),
        ("left a voicemail for Ann", ActivityType.CALL),
        ("They recall the dialect of the memo", ActivityType.NOTE),  # no whole word
        ("", ActivityType.NOTE),
    ],
)
def test_the_type_is_guessed_from_the_first_telling_word(text: str, kind: ActivityType) -> None:
    assert guess_type(text) == kind


def test_markup_becomes_what_the_reader_saw() -> None:
    text = (
        "Hi <@U1> and <@U2|bob>, <https://x.io/a?b=1&amp;c=2|the deck> &amp; <https://y.io> "
        "in <#C1|sales> <!here> <!date^1700000000^{date}|Nov 14> <mailto:a@b.io|a@b.io> 1 &lt; 2"
    )
    assert mentioned_users(text) == {"U1", "U2"}
    assert plain(text, {"U1": "Dana"}) == (
        "Hi @Dana and @bob, the deck (https://x.io/a?b=1&c=2) & https://y.io in #sales @here "
        "Nov 14 a@b.io 1 < 2"
    )


async def _factory(*, linked: str | None = None) -> FakeUnitOfWorkFactory:
    factory = FakeUnitOfWorkFactory()
    async with factory() as uow:
        await uow.users.upsert_many([User("U1", "Dana Rep"), User("U2", "Sam Rep")])
        await uow.clients.upsert_many([Client("C1", "Acme"), Client("C2", "Globex")])
        if linked:
            ids = await uow.clients.ids_for([linked])
            await uow.links.link("C0CH", ids[linked], by="U1", now=NOW)
        await uow.commit()
    return factory


def _message(text: str, **changes: object) -> ChatMessage:
    values: dict[str, object] = {"channel_id": "C0CH", "ts": TS, "text": text, "author": "U2"}
    return ChatMessage(**{**values, **changes})  # type: ignore[arg-type]


async def _log(factory: FakeUnitOfWorkFactory, form: Submission) -> Card:
    async with factory() as uow:
        me = await uow.users.get("U1")
        assert me is not None
        card, _ = await submit(
            uow,
            Actor(me, ZoneInfo("Europe/London"), known=True),
            form,
            now=NOW,
            permalink="https://x.slack.com/archives/C0CH/p1",
            notifier=NoNotices(),
            webhooks=NO_WEBHOOKS,
        )
        await uow.commit()
        return card


async def test_the_draft_keeps_the_whole_text_and_the_linked_client() -> None:
    factory = await _factory(linked="C2")
    long = "x" * (FORM_NOTES_MAX + 500)
    async with factory() as uow:
        found = await draft(uow, "U1", _message(f"Called <@U1>: {long}"), now=NOW)
        await uow.commit()
    assert found.notes == f"Message from Sam Rep:\nCalled @Dana Rep: {long}"
    assert found.type == ActivityType.CALL
    assert found.client is not None and found.client.external_id == "C2"
    assert not found.client_fixed  # not a shared channel: the picker offers it
    assert found.occurred_at == SENT.replace(microsecond=100)
    assert found.earlier is None
    form = Submission(found.token, "C2", ActivityType.CALL, found.notes[:FORM_NOTES_MAX])
    await _log(factory, form)
    async with factory() as uow:
        [activity] = await uow.activities.from_source(f"C0CH:{TS}")
    assert activity.notes == found.notes  # the whole text, not the form's cut
    assert (activity.occurred_at, activity.source) == (found.occurred_at, Surface.SHORTCUT)
    assert activity.permalink == "https://x.slack.com/archives/C0CH/p1"


async def test_a_shared_linked_channel_fixes_the_client() -> None:
    factory = await _factory(linked="C1")
    async with factory() as uow:
        found = await draft(uow, "U1", _message("hello", shared=True), now=NOW)
        await uow.commit()
    assert found.client_fixed
    await _log(factory, Submission(found.token, "C2", ActivityType.NOTE, "hello"))
    async with factory() as uow:
        [activity] = await uow.activities.from_source(f"C0CH:{TS}")
        client = await uow.clients.get_by_id(activity.client_id)
    assert client is not None and client.external_id == "C1"


async def test_a_second_log_of_a_message_is_refused_once_then_taken() -> None:
    factory = await _factory()
    async with factory() as uow:
        first = await draft(uow, "U1", _message("hi"), now=NOW)
        second = await draft(uow, "U1", _message("hi"), now=NOW)
        await uow.commit()
    await _log(factory, Submission(first.token, "C1", ActivityType.NOTE, "hi"))
    form = Submission(second.token, "C1", ActivityType.NOTE, "hi")
    with pytest.raises(FieldError) as refused:
        await _log(factory, form)
    assert refused.value.field == "notes"
    assert "already logged on Wed 25 Nov, 17:00 GMT by Dana Rep" in refused.value.user_message()
    await _log(factory, form)
    async with factory() as uow:
        assert len(await uow.activities.from_source(f"C0CH:{TS}")) == 2


async def test_a_form_sent_once_or_expired_logs_nothing() -> None:
    factory = await _factory()
    async with factory() as uow:
        found = await draft(uow, "U1", _message("hi"), now=NOW - timedelta(days=2))
        await uow.commit()
    with pytest.raises(FieldError, match="expired"):
        await _log(factory, Submission(found.token, "C1", ActivityType.NOTE, "hi"))
    with pytest.raises(FieldError, match="expired"):
        await _log(factory, Submission("forged", "C1", ActivityType.NOTE, "hi"))
    async with factory() as uow:  # a live token of another kind is no form of ours
        other = await uow.pending.put(
            user="U1", kind="share", payload={}, now=NOW, ttl=timedelta(hours=1)
        )
        await uow.commit()
    with pytest.raises(FieldError, match="expired"):
        await _log(factory, Submission(other, "C1", ActivityType.NOTE, "hi"))
