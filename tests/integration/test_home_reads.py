"""The ``HomeReads`` contract on the fake, SQLite and PostgreSQL: an owner's clients by
their latest kept scores, and a manager's team counts."""

from __future__ import annotations

from datetime import timedelta

from domain.model import Client, Role, Task, User
from domain.ports import UnitOfWorkFactory
from tests.home_fixtures import at, score
from tests.integration import test_repository_contract as contract
from tests.integration.test_repository_contract import NOW, committed

# the contract's fixtures: the fake, SQLite and PostgreSQL units of work
uow_factory = contract.uow_factory
pg_database = contract.pg_database

TODAY = NOW.date()
DAY = timedelta(days=1)


async def _seed(uow_factory: UnitOfWorkFactory) -> dict[str, int]:
    async with committed(uow_factory) as uow:
        await uow.users.upsert_many(
            [
                User("U1", "Ann Boss", role=Role.MANAGER),
                User("U2", "Bob Rep", manager_slack_user_id="U1"),
                User("U3", "Cy Rep", manager_slack_user_id="U1"),
                User("U4", "Di Else"),
            ]
        )
        await uow.clients.upsert_many(
            [
                Client("C1", "Acme", owner_slack_user_id="U2"),
                Client("C2", "Globex", owner_slack_user_id="U2"),
                Client("C3", "Initech", owner_slack_user_id="U2"),
                Client("C4", "Umbrella", owner_slack_user_id="U3"),
                Client("C5", "Hooli", owner_slack_user_id="U4"),
            ]
        )
        ids = await uow.clients.ids_for(["C1", "C2", "C3", "C4", "C5"])
    return ids


async def _keep(uow_factory: UnitOfWorkFactory, ids: dict[str, int]) -> None:
    old, new = TODAY - 7 * DAY, TODAY - DAY
    async with committed(uow_factory) as uow:
        # a week ago Globex was the risky one; the newest scores are what count
        await uow.scores.save(
            [score(ids["C2"], "C2", old, risk=90), score(ids["C1"], "C1", old, risk=10)],
            as_of=old,
            computed_at=at(old),
        )
        await uow.scores.save(
            [
                score(ids["C1"], "C1", new, risk=80, next_order=TODAY + 3 * DAY),
                score(ids["C2"], "C2", new, risk=20, next_order=TODAY - 5 * DAY),
                score(ids["C3"], "C3", new, risk=65, next_order=TODAY + 30 * DAY),
                score(ids["C4"], "C4", new, risk=70),
                score(ids["C5"], "C5", new, risk=99, next_order=TODAY),
            ],
            as_of=new,
            computed_at=at(new),
        )
        # kept after today: never read as of today
        await uow.scores.save(
            [score(ids["C2"], "C2", TODAY + DAY, risk=99)],
            as_of=TODAY + DAY,
            computed_at=at(TODAY),
        )


async def test_at_risk_reads_the_owners_latest_scores_riskiest_first(
    uow_factory: UnitOfWorkFactory,
) -> None:
    ids = await _seed(uow_factory)
    async with uow_factory() as uow:
        empty = await uow.home.at_risk("U2", on_or_before=TODAY, min_risk=60, limit=5)
        assert (empty.items, empty.total) == ((), 0)
    await _keep(uow_factory, ids)
    async with uow_factory() as uow:
        page = await uow.home.at_risk("U2", on_or_before=TODAY, min_risk=60, limit=5)
        assert [(s.client.external_id, s.score.risk_score) for s in page.items] == [
            ("C1", 80),
            ("C3", 65),
        ]
        assert page.total == 2
        assert page.items[0].client.name == "Acme"
        assert page.items[0].score.factors[0].code == "overdue"
        first = await uow.home.at_risk("U2", on_or_before=TODAY, min_risk=60, limit=1)
        assert ([s.client.external_id for s in first.items], first.total) == (["C1"], 2)
        older = await uow.home.at_risk("U2", on_or_before=TODAY - 2 * DAY, min_risk=60, limit=5)
        assert [s.client.external_id for s in older.items] == ["C2"]
        assert (await uow.home.at_risk("U9", on_or_before=TODAY, min_risk=0, limit=5)).total == 0


async def test_reorder_due_is_a_window_soonest_first(uow_factory: UnitOfWorkFactory) -> None:
    ids = await _seed(uow_factory)
    await _keep(uow_factory, ids)
    async with uow_factory() as uow:
        page = await uow.home.reorder_due(
            "U2", on_or_before=TODAY, start=TODAY - 60 * DAY, end=TODAY + 7 * DAY, limit=5
        )
        assert [s.client.external_id for s in page.items] == ["C2", "C1"]
        assert page.items[0].score.next_order_expected == TODAY - 5 * DAY
        assert page.total == 2
        narrow = await uow.home.reorder_due(
            "U2", on_or_before=TODAY, start=TODAY, end=TODAY + 7 * DAY, limit=5
        )
        assert [s.client.external_id for s in narrow.items] == ["C1"]


async def test_team_counts_each_report(uow_factory: UnitOfWorkFactory) -> None:
    ids = await _seed(uow_factory)
    await _keep(uow_factory, ids)
    async with committed(uow_factory) as uow:
        for title, who, due in [
            ("late", "U2", NOW - DAY),
            ("soon", "U2", NOW + DAY),
            ("later", "U3", NOW + 2 * DAY),
            ("other team", "U4", NOW - DAY),
        ]:
            await uow.tasks.add(Task(title, who, due, created_at=NOW - 3 * DAY))
        done = await uow.tasks.add(Task("done", "U2", NOW - DAY, created_at=NOW - 3 * DAY))
        assert done.id is not None
        await uow.tasks.complete(done.id, now=NOW)
    async with uow_factory() as uow:
        team = await uow.home.team("U1", now=NOW, on_or_before=TODAY, min_risk=60)
        assert [(m.user.slack_user_id, m.open_tasks, m.overdue_tasks, m.at_risk) for m in team] == [
            ("U2", 2, 1, 2),
            ("U3", 1, 0, 1),
        ]
        assert await uow.home.team("U2", now=NOW, on_or_before=TODAY, min_risk=60) == []


async def test_from_source_finds_the_logs_of_one_message(uow_factory: UnitOfWorkFactory) -> None:
    from domain.model import Activity, ActivityType, Surface

    ids = await _seed(uow_factory)

    def logged(ref: str | None, minutes: int) -> Activity:
        return Activity(
            ids["C1"], ActivityType.NOTE, "n", NOW - DAY, "U2", Surface.SHORTCUT,
            source_ref=ref, created_at=NOW + timedelta(minutes=minutes),
        )  # fmt: skip

    async with committed(uow_factory) as uow:
        first = await uow.activities.add(logged("C9:1.2", 0))
        await uow.activities.add(logged("C9:1.3", 1))
        second = await uow.activities.add(logged("C9:1.2", 2))
        await uow.activities.add(logged(None, 3))
        assert first.id is not None and second.id is not None
        await uow.activities.undo(first.id, now=NOW)
    async with uow_factory() as uow:
        found = await uow.activities.from_source("C9:1.2")
        assert [(a.id, a.author_slack_user_id) for a in found] == [(second.id, "U2")]
        assert await uow.activities.from_source("C9:nothing") == []
