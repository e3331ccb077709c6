"""The App Home: one's open tasks, the quotes waiting on one's approval, one's clients at
risk and due to reorder, a manager's team, and buttons for the common actions.

Every read is bounded by what one person owns, and the whole stays within a view's 100
blocks: sections are paged ("Show more", up to a cap), and the approvals, whose blocks
the Approvals service writes, get what is left.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain import access
from domain.cards import Block, Divider, Note
from domain.ports import UnitOfWork
from domain.ports_approvals import WaitingApprovals, WaitingSection
from domain.services import home_sections as sections
from domain.services.chat import ChatService
from domain.services.home_sections import Pages
from domain.services.identity import Actor

VIEW_BLOCKS_MAX = 100


@dataclass(frozen=True)
class HomeRules:
    risk_at: int = 60  # a risk score this high is "at risk" (the risk alert's threshold)
    reorder_ahead: timedelta = timedelta(days=7)  # next order expected within…
    reorder_behind: timedelta = timedelta(days=60)  # …or overdue by up to this much


async def home_blocks(
    uow: UnitOfWork,
    me: Actor,
    *,
    now: datetime,
    pages: Pages,
    approvals: WaitingApprovals | None,
    rules: HomeRules,
) -> tuple[Block, ...]:
    user, today = me.slack_user_id, now.date()
    mine = await uow.tasks.open_for(user)
    ids = {t.client_id for t in mine[: pages.of("tasks")] if t.client_id is not None}
    clients = {cid: c for cid in ids if (c := await uow.clients.get_by_id(cid)) is not None}
    risky = await uow.home.at_risk(
        user, on_or_before=today, min_risk=rules.risk_at, limit=pages.of("risk")
    )
    due = await uow.home.reorder_due(
        user,
        on_or_before=today,
        start=today - rules.reorder_behind,
        end=today + rules.reorder_ahead,
        limit=pages.of("reorder"),
    )
    team = await uow.home.team(user, now=now, on_or_before=today, min_risk=rules.risk_at)
    before = [
        *sections.top(me.user.name, now=now, tz=me.tz),
        *sections.tasks(mine, clients, pages=pages, tz=me.tz, now=now),
        Divider(),
    ]
    after = [
        Divider(),
        *sections.at_risk(risky, pages=pages),
        Divider(),
        *sections.reorder(due, pages=pages, tz=me.tz, now=now),
        *([Divider(), *sections.team(team, pages=pages)] if team else []),
    ]
    room = VIEW_BLOCKS_MAX - len(before) - len(after)
    waiting = await _approvals(uow, user, approvals, now=now, pages=pages, room=room)
    return _fit((*before, *waiting, *after))


async def _approvals(
    uow: UnitOfWork,
    user: str,
    approvals: WaitingApprovals | None,
    *,
    now: datetime,
    pages: Pages,
    room: int,
) -> list[Block]:
    """The Approvals service's blocks for as many quotes as fit in ``room`` blocks."""
    if approvals is None:
        return []
    limit = pages.of("approvals")
    while True:
        found: WaitingSection = await approvals.waiting_on(uow, user, now=now, limit=limit)
        shown = min(limit, found.total)
        blocks = sections.approvals(found.blocks, total=found.total, shown=shown, pages=pages)
        if len(blocks) <= room or limit <= 1:
            return blocks
        limit -= 1


def _fit(blocks: tuple[Block, ...]) -> tuple[Block, ...]:
    """The last guard of the 100-block limit (paging keeps far below it)."""
    if len(blocks) <= VIEW_BLOCKS_MAX:
        return blocks
    return (*blocks[: VIEW_BLOCKS_MAX - 1], Note("…more not shown."))


class HomeService:
    """Builds one user's Home in one unit of work."""

    def __init__(
        self,
        chat: ChatService,
        approvals: Callable[[], WaitingApprovals | None],
        rules: HomeRules = HomeRules(),
    ) -> None:
        self.chat, self.approvals, self.rules = chat, approvals, rules

    async def blocks(self, slack_user_id: str, pages: Pages) -> tuple[Block, ...]:
        async with self.chat.deps.uow() as uow:
            me = await self.chat.actor(uow, slack_user_id)
            found = await home_blocks(
                uow,
                me,
                now=self.chat.deps.clock(),
                pages=pages,
                approvals=self.approvals(),
                rules=self.rules,
            )
            if not me.known:  # told once, like the first /crm reply
                note = Note(access.newcomer_note(await access.admin_names(uow.users)))
                found = _fit((note, *found))
            await uow.commit()  # a first-time user was just added
            return found
