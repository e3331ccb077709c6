"""domain.access: who sees a client's money, who may link channels, with in-memory fakes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import cast
from zoneinfo import ZoneInfo

import pytest

from domain import access
from domain.model import Client, Role, Surface, User
from domain.ports import UnitOfWork
from domain.services import channel_links
from domain.services.identity import Actor
from tests.fakes import FakeUnitOfWorkFactory

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


class Users:
    """A ``UserLookup`` over a dict: the rules read nothing else."""

    def __init__(self, *users: User) -> None:
        self.by_id = {u.slack_user_id: u for u in users}
        self.reads = 0

    async def get(self, slack_user_id: str) -> User | None:
        self.reads += 1
        return self.by_id.get(slack_user_id)

    async def list(self) -> Sequence[User]:
        return list(self.by_id.values())


CEO = User("UCEO", "Cee Ohh", role=Role.ADMIN)
VP = User("UVP", "Vee Pee", role=Role.MANAGER, manager_slack_user_id="UCEO")
MGR = User("UMGR", "Mo Manager", role=Role.MANAGER, manager_slack_user_id="UVP")
OWNER = User("UOWN", "Dana Rep", manager_slack_user_id="UMGR")
PEER = User("UPEER", "Sam Rep", manager_slack_user_id="UMGR")
OTHER_MGR = User("UOM", "Other Manager", role=Role.MANAGER)
FIN = User("UFIN", "Fay Finance", role=Role.FINANCE)
TEAM = Users(CEO, VP, MGR, OWNER, PEER, OTHER_MGR, FIN)
ACME = Client("C1", "Acme", owner_slack_user_id="UOWN", id=1)


@pytest.mark.parametrize(
    ("viewer", "sees"),
    [
        (OWNER, True),
        (MGR, True),  # the owner's manager
        (VP, True),  # and the manager's manager
        (CEO, True),  # admin, and top of the chain
        (FIN, True),
        (PEER, False),  # same manager, not the owner
        (OTHER_MGR, False),  # a manager, not the owner's
        (User("UNEW", "New Person"), False),  # a user crmbot just met
    ],
    ids=lambda v: v.name if isinstance(v, User) else str(v),
)
async def test_who_sees_a_clients_money(viewer: User, sees: bool) -> None:
    assert await access.money_for(TEAM, viewer, ACME) is sees


async def test_a_client_without_owner_shows_money_to_finance_and_admins_only() -> None:
    orphan = Client("C9", "Orphan", id=9)
    assert [await access.money_for(TEAM, u, orphan) for u in (OWNER, MGR, FIN, CEO)] == [
        False,
        False,
        True,
        True,
    ]


async def test_the_chain_is_read_only_when_it_matters_and_stops_on_a_loop() -> None:
    users = Users(OWNER, MGR)
    assert await access.money_for(users, OWNER, ACME)
    assert await access.money_for(users, FIN, ACME)
    assert users.reads == 0  # owner and finance: no lookup
    loop = Users(
        User("UA", "A", manager_slack_user_id="UB"),
        User("UB", "B", manager_slack_user_id="UC"),
        User("UC", "C", manager_slack_user_id="UA"),
    )
    assert await access.managers_of(loop, "UA") == ("UB", "UC")
    assert await access.managers_of(loop, None) == ()
    assert await access.managers_of(loop, "UNKNOWN") == ()


def test_sees_money_is_pure() -> None:
    assert access.sees_money(PEER, owner="UOWN", chain=("UPEER",))
    assert not access.sees_money(PEER, owner=None, chain=("UPEER",))
    assert access.sees_money(FIN, owner=None, chain=())


async def test_only_admins_link_and_the_refusal_names_them() -> None:
    assert access.may_link_channels(CEO)
    assert not any(access.may_link_channels(u) for u in (VP, MGR, OWNER, FIN))
    with pytest.raises(access.AdminOnly, match="Only an admin can link channels; ask Cee Ohh"):
        await access.require_admin(TEAM, MGR, "link channels")
    await access.require_admin(TEAM, CEO, "link channels")
    with pytest.raises(access.AdminOnly, match=r"no admin is set up yet.*crmbot import users"):
        await access.require_admin(Users(MGR), MGR, "link channels")
    many = Users(*(User(f"U{i}", f"Admin {i}", role=Role.ADMIN) for i in range(7)))
    with pytest.raises(access.AdminOnly, match="Admin 4 or 2 more"):
        await access.require_admin(many, MGR, "x")


def test_newcomer_note_names_who_to_ask() -> None:
    assert "ask Ann or <b&gt;" not in access.newcomer_note(["Ann", "<b>"])
    assert "ask Ann or &lt;b&gt;" in access.newcomer_note(["Ann", "<b>"])
    assert "ask your crmbot admin" in access.newcomer_note([])


async def test_a_refused_link_or_unlink_writes_nothing() -> None:
    factory = FakeUnitOfWorkFactory()
    async with factory() as seeding:
        await seeding.users.upsert_many([CEO, MGR, VP, OWNER])
        await seeding.clients.upsert_many([Client("C1", "Acme", owner_slack_user_id="UOWN")])
        await seeding.commit()
    before = repr(factory.tables)
    async with factory() as fake:
        uow = cast(UnitOfWork, fake)
        client = await uow.clients.get("C1")
        assert client is not None
        me = Actor(OWNER, ZoneInfo("UTC"), known=True)
        with pytest.raises(access.AdminOnly):
            await channel_links.link(
                uow, me, client, channel_id="CH", surface=Surface.SLASH, now=NOW
            )
        with pytest.raises(access.AdminOnly, match="unlink channels"):
            await channel_links.unlink(uow, me, channel_id="CH", surface=Surface.SLASH, now=NOW)
        await uow.commit()
    assert repr(factory.tables) == before
    async with factory() as fake:
        uow = cast(UnitOfWork, fake)
        admin = Actor(CEO, ZoneInfo("UTC"), known=True)
        await channel_links.link(
            uow, admin, client, channel_id="CH", surface=Surface.SLASH, now=NOW
        )
        [entry] = await uow.audit.list()
        assert (entry.actor, entry.action, entry.entity_id) == ("UCEO", "channel.linked", "CH")
        assert entry.details["before"] == {"client_external_id": None}
