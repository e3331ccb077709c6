"""The App Home's content, on the in-memory fakes, with a small fake of the approvals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from domain.cards import Actions, Block, Button, Header, Note, Text
from domain.chat.replies import DONE, SNOOZE
from domain.model import Client, Role, Task, User
from domain.ports import UnitOfWork
from domain.ports_approvals import WaitingSection
from domain.services.home import VIEW_BLOCKS_MAX, HomeRules, home_blocks
from domain.services.home_sections import HOME_MORE, PAGING, Pages
from domain.services.identity import Actor
from tests.fakes import FakeUnitOfWorkFactory
from tests.home_fixtures import at, score

NOW = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)
DAY = timedelta(days=1)
LA = ZoneInfo("America/Los_Angeles")


class FakeApprovals:
    """``total`` quotes wait on U1, each shown as ``per_quote`` blocks."""

    def __init__(self, total: int, per_quote: int = 2) -> None:
        self.total, self.per_quote = total, per_quote
        self.asked: list[int] = []

    async def waiting_on(
        self, uow: UnitOfWork, slack_user_id: str, *, now: datetime, limit: int
    ) -> WaitingSection:
        self.asked.append(limit)
        if slack_user_id != "U1":
            return WaitingSection()
        blocks: list[Block] = []
        for n in range(min(limit, self.total)):
            blocks += [Text(f"Quote Q{n}")] + [Note("why")] * (self.per_quote - 1)
        return WaitingSection(tuple(blocks), self.total)


async def _seed(factory: FakeUnitOfWorkFactory, *, tasks: int = 3) -> None:
    async with factory() as uow:
        await uow.users.upsert_many(
            [
                User("U0", "Mo Boss", role=Role.MANAGER),
                User("U1", "Dana Rep", manager_slack_user_id="U0"),
                User("U2", "Sam Rep", manager_slack_user_id="U0"),
            ]
        )
        await uow.clients.upsert_many(
            [
                Client("C1", "Acme <Intl>", owner_slack_user_id="U1"),
                Client("C2", "Globex", owner_slack_user_id="U1"),
                Client("C3", "Initech", owner_slack_user_id="U2"),
            ]
        )
        ids = await uow.clients.ids_for(["C1", "C2", "C3"])
        day = NOW.date() - DAY
        records = [
            score(ids["C1"], "C1", day, risk=82),
            score(ids["C2"], "C2", day, risk=10, next_order=NOW.date() + 2 * DAY),
            score(ids["C3"], "C3", day, risk=70),
        ]
        await uow.scores.save(records, as_of=day, computed_at=at(day))
        for n in range(tasks):
            due = NOW + (n - 1) * DAY  # the first is overdue
            await uow.tasks.add(Task(f"Task {n}", "U1", due, client_id=ids["C1"], created_at=NOW))
        await uow.tasks.add(Task("Sam's", "U2", NOW - DAY, created_at=NOW))
        await uow.commit()


async def _home(
    factory: FakeUnitOfWorkFactory,
    user: str = "U1",
    *,
    pages: Pages = Pages(),
    approvals: FakeApprovals | None = None,
) -> tuple[Block, ...]:
    async with factory() as uow:
        found = await uow.users.get(user)
        assert found is not None
        return await home_blocks(
            uow,
            Actor(found, LA, known=True),
            now=NOW,
            pages=pages,
            approvals=approvals,
            rules=HomeRules(),
        )


def _text(blocks: tuple[Block, ...]) -> str:
    parts: list[str] = []
    for b in blocks:
        if isinstance(b, Header | Text | Note):
            parts.append(b.text)
        if isinstance(b, Actions):
            parts += [f"[{x.label}]" for x in b.buttons]
    return "\n".join(parts)


def _buttons(blocks: tuple[Block, ...]) -> list[Button]:
    return [x for b in blocks if isinstance(b, Actions) for x in b.buttons]


async def test_a_reps_home_lists_tasks_approvals_risk_and_reorders() -> None:
    factory = FakeUnitOfWorkFactory()
    await _seed(factory)
    blocks = await _home(factory, approvals=FakeApprovals(total=2))
    text = _text(blocks)
    assert "Hello, Dana Rep" in text
    assert "[Log activity]" in text and "[New task]" in text and "[Settings]" in text
    assert "Your open tasks (3, 1 overdue)" in text
    assert text.index("Task 0") < text.index("Task 1") < text.index("Task 2")
    assert ":red_circle: overdue" in text.split("Task 1")[0]
    assert "Sam's" not in text
    task_buttons = [(b.label, b.action_id) for b in _buttons(blocks) if b.value == "1"]
    assert task_buttons == [("Done", DONE), ("Snooze", SNOOZE)]
    assert "Waiting on your approval (2)" in text and "Quote Q1" in text
    assert "Your clients at risk (1)" in text
    assert "*Acme &lt;Intl&gt;* — risk 82 · $1,200 overdue, the oldest 45 days past due" in text
    assert "Initech" not in text  # Sam's client
    assert "Due to reorder (1)" in text and "*Globex* — Expected around Fri 27 Nov" in text
    assert "Your team" not in text


async def test_a_managers_home_adds_the_team() -> None:
    factory = FakeUnitOfWorkFactory()
    await _seed(factory)
    text = _text(await _home(factory, "U0"))
    assert "Your team (2)" in text
    assert "*Dana Rep* — 3 open tasks, :red_circle: 1 overdue · 1 clients at risk" in text
    assert "*Sam Rep* — 1 open tasks, :red_circle: 1 overdue · 1 clients at risk" in text
    assert "No quotes are waiting on you." not in text  # no approvals port: no section


async def test_sections_page_with_show_more_up_to_a_cap() -> None:
    factory = FakeUnitOfWorkFactory()
    await _seed(factory, tasks=40)
    blocks = await _home(factory)
    assert "Task 4" in _text(blocks) and "Task 5" not in _text(blocks)
    [more] = [b for b in _buttons(blocks) if b.action_id == HOME_MORE]
    assert (more.label, more.value) == ("Show more (35 more)", "tasks")
    pages = Pages()
    for _ in range(5):
        pages = pages.more("tasks")
    assert pages.of("tasks") == PAGING["tasks"][2]  # capped
    blocks = await _home(factory, pages=pages)
    assert "Task 14" in _text(blocks) and "Task 15" not in _text(blocks)
    assert not [b for b in _buttons(blocks) if b.action_id == HOME_MORE]
    assert "…and 25 more. `/crm tasks` lists them all." in _text(blocks)
    assert Pages.from_json(pages.to_json()) == pages
    assert Pages.from_json({"tasks": "lots", "nope": 3}).of("tasks") == PAGING["tasks"][0]


async def test_the_home_stays_within_a_views_100_blocks() -> None:
    factory = FakeUnitOfWorkFactory()
    await _seed(factory, tasks=40)
    approvals = FakeApprovals(total=30, per_quote=12)  # bulky approval blocks
    pages = Pages({"tasks": 99, "approvals": 99, "risk": 99, "reorder": 99, "team": 99})
    blocks = await _home(factory, pages=pages, approvals=approvals)
    assert len(blocks) <= VIEW_BLOCKS_MAX
    assert "Quote Q0" in _text(blocks)
    assert approvals.asked[0] == PAGING["approvals"][2] and approvals.asked[-1] < 9
    assert "Your clients at risk" in _text(blocks)  # later sections are not crowded out
