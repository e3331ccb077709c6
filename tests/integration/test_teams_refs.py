"""Teams users: matching by AAD object id or email, personal chats kept, platform choice.

One contract on the fake, SQLite and PostgreSQL (``uow_factory`` of the repository contract).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.bootstrap import build
from domain.model import User, UserPreferences
from domain.ports import UnitOfWork, UnitOfWorkFactory
from domain.ports_teams import TeamsUnitOfWork
from domain.services.teams_refs import remember, teams_target
from domain.teams import TeamsConversationRef
from tests.conftest import BACKENDS, FixedClock, _pg_copy, make_settings
from tests.fakes import FakeUnitOfWorkFactory

NOW = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)
ANA_AAD = "8d9e4a57-1f0b-4c8e-9a62-3f1d2c4b5a69"
WIRE = {  # Activity.get_conversation_reference(), as camelCase JSON
    "activityId": "f:1",
    "user": {"id": "29:ana", "name": "Ana", "aadObjectId": ANA_AAD},
    "bot": {"id": "28:crmbot", "name": "crmbot"},
    "conversation": {"id": "a:1chat-ana", "conversationType": "personal", "tenantId": "t-1"},
    "channelId": "msteams",
    "serviceUrl": "https://smba.trafficmanager.net/emea/",
}
REF = TeamsConversationRef.from_reference(WIRE)


@pytest.fixture(params=["fake", *BACKENDS])
async def uow_factory(request: pytest.FixtureRequest) -> AsyncIterator[UnitOfWorkFactory]:
    """The fakes, or the SQL repositories on a migrated, empty database."""
    if request.param == "fake":
        yield FakeUnitOfWorkFactory()
        return
    async with AsyncExitStack() as stack:
        if request.param == "sqlite":
            url = request.getfixturevalue("sqlite_url")
        else:  # skips without CRMBOT_PG_URL
            url = await stack.enter_async_context(_pg_copy(request.getfixturevalue("pg_template")))
        container = build(make_settings(url), clock=FixedClock(NOW))
        stack.push_async_callback(container.close)
        yield container.uow


@asynccontextmanager
async def committed(uow_factory: UnitOfWorkFactory) -> AsyncIterator[UnitOfWork]:
    async with uow_factory() as uow:
        yield uow
        await uow.commit()


async def _users(uows: UnitOfWorkFactory) -> None:
    async with committed(uows) as uow:
        await uow.users.upsert_many(
            [
                User("U1", "Ana", "Ana@Example.com", teams_user_id=ANA_AAD),
                User("U2", "Bo", "bo@example.com"),
                User("U3", "Cy", "same@example.com"),
                User("U4", "Di", "SAME@example.com"),
            ]
        )


def test_a_reference_reads_the_connectors_json_and_writes_it_back() -> None:
    assert REF == TeamsConversationRef(
        conversation_id="a:1chat-ana",
        service_url="https://smba.trafficmanager.net/emea/",
        bot_id="28:crmbot",
        aad_object_id=ANA_AAD,
        tenant_id="t-1",
        teams_user_id="29:ana",
    )
    assert TeamsConversationRef.from_reference(REF.as_reference()) == REF
    with pytest.raises(ValueError, match="serviceUrl"):
        TeamsConversationRef.from_reference({**WIRE, "serviceUrl": ""})


async def test_users_match_by_aad_object_id_then_by_one_email(
    uow_factory: UnitOfWorkFactory,
) -> None:
    await _users(uow_factory)
    async with uow_factory() as uow:
        refs = uow.teams_refs  # type: ignore[attr-defined]
        by_aad = await refs.match_user(aad_object_id=ANA_AAD, email="someone@else.com")
        assert by_aad is not None and by_aad.slack_user_id == "U1"
        by_mail = await refs.match_user(aad_object_id="0" * 8, email=" BO@example.com ")
        assert by_mail is not None and by_mail.slack_user_id == "U2"
        assert await refs.match_user(aad_object_id=None, email="same@example.com") is None
        assert await refs.match_user(aad_object_id=None, email=None) is None
        assert await refs.match_user(aad_object_id="nobody", email="no@example.com") is None


async def test_remember_keeps_the_latest_personal_chat_only(uow_factory: UnitOfWorkFactory) -> None:
    await _users(uow_factory)
    async with committed(uow_factory) as raw:
        uow: TeamsUnitOfWork = raw  # type: ignore[assignment]
        user = await remember(uow, REF, email=None, now=NOW)
        assert user is not None and user.slack_user_id == "U1"
        assert not await uow.teams_refs.remember(user.id or 0, REF, now=NOW)  # unchanged
    moved = replace(REF, service_url="https://smba.trafficmanager.net/amer/")
    group = replace(REF, conversation_id="19:group", conversation_type="groupChat")
    async with committed(uow_factory) as raw:
        uow = raw  # type: ignore[assignment]
        assert await uow.teams_refs.get("U1") == REF
        await remember(uow, group, email=None, now=NOW)  # matched, but not a personal chat
        assert await uow.teams_refs.get("U1") == REF
        await remember(uow, moved, email=None, now=NOW + timedelta(minutes=1))
    async with uow_factory() as raw:
        uow = raw  # type: ignore[assignment]
        assert await uow.teams_refs.get("U1") == moved
        assert await uow.teams_refs.get("U2") is None
        stranger = replace(REF, aad_object_id="11111111-2222-3333-4444-555555555555")
        assert await remember(uow, stranger, email="who@example.com", now=NOW) is None


async def test_messages_go_to_teams_only_when_chosen_and_reachable(
    uow_factory: UnitOfWorkFactory,
) -> None:
    await _users(uow_factory)
    async with committed(uow_factory) as raw:
        uow: TeamsUnitOfWork = raw  # type: ignore[assignment]
        await remember(uow, REF, email=None, now=NOW)
        await uow.preferences.put(UserPreferences("U2", platform="teams"), now=NOW)
    async with committed(uow_factory) as raw:
        uow = raw  # type: ignore[assignment]
        assert await teams_target(uow, "U1") is None  # reachable, but chose Slack (default)
        assert await teams_target(uow, "U2") is None  # chose Teams, never wrote there
        await uow.preferences.put(UserPreferences("U1", platform="teams"), now=NOW)
    async with uow_factory() as raw:
        uow = raw  # type: ignore[assignment]
        assert (await uow.preferences.get("U1")).platform == "teams"
        assert await teams_target(uow, "U1") == REF


async def test_a_user_known_only_from_teams_is_messaged_there_without_choosing(
    uow_factory: UnitOfWorkFactory,
) -> None:
    teams_only = "ms:5f3a9c"  # bot/teams/people.py's key for a Teams user not in users.csv
    async with committed(uow_factory) as raw:
        uow: TeamsUnitOfWork = raw  # type: ignore[assignment]
        await uow.users.upsert_many([User(teams_only, "Eve", teams_user_id=ANA_AAD)])
        assert await teams_target(uow, teams_only) is None  # never wrote: nowhere yet
        assert await remember(uow, REF, email=None, now=NOW) is not None
    async with uow_factory() as raw:
        uow = raw  # type: ignore[assignment]
        assert await teams_target(uow, teams_only) == REF


async def test_an_import_sets_teams_user_id_and_a_blank_cell_keeps_it(
    uow_factory: UnitOfWorkFactory,
) -> None:
    await _users(uow_factory)
    async with committed(uow_factory) as uow:
        again = await uow.users.upsert_many([User("U1", "Ana", "Ana@Example.com")])
        assert again.unchanged == 1
        other = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
        assert (
            await uow.users.upsert_many([User("U2", "Bo", "bo@example.com", teams_user_id=other)])
        ).updated == 1
    async with uow_factory() as uow:
        assert [(u.slack_user_id, u.teams_user_id) for u in await uow.users.list()][:2] == [
            ("U1", ANA_AAD),
            ("U2", other),
        ]
