"""``crmbot console`` shows the App Home on a ``home`` line; its buttons press as usual."""

from __future__ import annotations

import io
from datetime import timedelta

from bot.bootstrap import Container
from bot.console.driver import Driver
from bot.console.payloads import Identity
from bot.localslack import LocalSlack
from domain.model import Task
from tests.slack.chat_fixtures import REP, seed


async def _never() -> str:
    raise AssertionError("the Home asks nothing")


async def test_home_line_shows_the_home_and_done_refreshes_it(
    app_container: Container, slack: LocalSlack
) -> None:
    await seed(app_container, slack)
    now = app_container.clock()
    async with app_container.uow() as uow:
        await uow.tasks.add(Task("Ring the buyer", REP, now - timedelta(days=1), created_at=now))
        await uow.tasks.add(Task("Send the deck", REP, now + timedelta(days=9), created_at=now))
        await uow.commit()
    out = io.StringIO()
    async with Driver(app_container, slack, Identity(REP, "Dana Rep"), out=out) as driver:
        await driver.handle("home", read=_never)
        first = out.getvalue()
        assert "Hello, Dana Rep" in first and "Your open tasks (2, 1 overdue)" in first
        assert "[1] Log activity  [2] New task  [3] Settings  [4] Done  [5] Snooze" in first
        await driver.handle("4", read=_never)  # Done on the overdue task
    after = out.getvalue()[len(first) :]
    assert "Your open tasks (1)" in after and "Ring the buyer" not in after
    assert "Traceback" not in out.getvalue()
    assert not slack.violations
