"""The digest service on the fakes: one per local day, nothing when empty, /crm digest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.cards import Text
from domain.model import Activity, ActivityType, Client, Surface, Task, User
from domain.services.digest import DigestService, DigestSettings
from domain.services.digest_gather import gather_many
from tests.fakes import FakeUnitOfWorkFactory
from tests.unit.test_risk_alerts import Outbox

MONDAY_8AM_LA = datetime(2026, 11, 23, 16, tzinfo=UTC)


async def setup() -> tuple[FakeUnitOfWorkFactory, DigestService]:
    uows = FakeUnitOfWorkFactory()
    async with uows() as uow:
        await uow.users.upsert_many(
            [User("U1", "Dana", timezone="America/Los_Angeles"), User("U2", "Sam")]
        )
        await uow.clients.upsert_many([Client("C1", "Acme <Ltd>", owner_slack_user_id="U1")])
        [client_id] = (await uow.clients.ids_for(["C1"])).values()
        await uow.tasks.add(Task("Call back", "U1", MONDAY_8AM_LA - timedelta(days=1),
                                 client_id=client_id, created_at=MONDAY_8AM_LA))  # fmt: skip
        yesterday = MONDAY_8AM_LA - timedelta(hours=20)
        await uow.activities.add(Activity(client_id, ActivityType.MEETING, "Walked the plant",
                                          yesterday, "U1", Surface.SLASH))  # fmt: skip
        await uow.commit()
    service = DigestService(uows, notifier=Outbox(), settings=DigestSettings())
    return uows, service


async def test_one_digest_a_local_day_and_nothing_for_the_empty() -> None:
    uows, service = await setup()
    assert (await service.run_cycle(now=MONDAY_8AM_LA - timedelta(minutes=1)))["due"] == 1  # U2
    assert list(uows.tables.outbox) == []
    counts = await service.run_cycle(now=MONDAY_8AM_LA)
    assert counts["sent"] == 1 and list(uows.tables.outbox) == ["digest:U1:2026-11-23"]
    text = uows.tables.outbox["digest:U1:2026-11-23"].message.payload["text"]
    assert text == "Your digest: 1 overdue"
    assert (await service.run_cycle(now=MONDAY_8AM_LA + timedelta(hours=1)))["due"] == 0


async def test_the_digest_card_reports_yesterday_and_escapes() -> None:
    uows, _ = await setup()
    async with uows() as uow:
        users = await uow.digests.recipients()
        found = await gather_many(uow, users, users, now=MONDAY_8AM_LA, default_tz="UTC",
                                  approvals=lambda: None)  # fmt: skip
    data = found["U1"]
    assert found["U2"].items == 0
    assert [a.notes for a, _ in data.activity] == ["Walked the plant"]
    assert data.clients and next(iter(data.clients.values())).name == "Acme <Ltd>"
    from domain.services.digest_content import digest_card

    texts = " ".join(b.text for b in digest_card(data).blocks if isinstance(b, Text))
    assert "Acme &lt;Ltd&gt;" in texts and "Yesterday you logged 1 activity" in texts


async def test_send_now() -> None:
    uows, service = await setup()
    async with uows() as uow:
        card = await service.send_now(uow, "U1", now=MONDAY_8AM_LA)
        assert "on its way" in card.summary
        assert "Nothing to report" in (await service.send_now(uow, "U2", now=MONDAY_8AM_LA)).summary
        await uow.commit()
    assert [k.startswith("digest:U1:now:") for k in uows.tables.outbox] == [True]
