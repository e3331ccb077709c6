"""The App Home's sections as card blocks, and how many of each it shows (``Pages``).

Each section is a header, its first items and, when more wait, a "Show more" button (up
to a cap) or a note saying where the rest are. User-supplied text is escaped here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from domain.cards import Actions, Block, Button, Header, Note, Text
from domain.chat.replies import DONE, SNOOZE
from domain.dates import format_when
from domain.model import Client, Task
from domain.ports_home import ClientScore, ScoredPage, TeamMember
from domain.services.health_scores import (
    HIGH_EMOJI,
    LEVEL_EMOJI,
    expected_moment,
    next_order_text,
)
from domain.text import escape, safe

HOME_MORE = "home_more"  # value: the section's name
HOME_LOG = "home_log"
HOME_NEW_TASK = "home_new_task"
HOME_SETTINGS = "home_settings"
LINES_PER_TEXT = 8  # lines of a listing per section block, well inside 3,000 characters

# section: (shown at first, added by "Show more", most ever shown)
PAGING: dict[str, tuple[int, int, int]] = {
    "tasks": (5, 5, 15),
    "approvals": (3, 3, 9),
    "risk": (5, 10, 25),
    "reorder": (5, 10, 25),
    "team": (8, 8, 24),
}
WHERE_ELSE = {
    "tasks": "`/crm tasks` lists them all.",
    "approvals": "`/crm quotes` lists them all.",
    "risk": "`/crm health CLIENT` shows any client.",
    "reorder": "`/crm health CLIENT` shows any client.",
    "team": "",
}


@dataclass(frozen=True)
class Pages:
    """How many items each section shows; kept in the Home view between refreshes."""

    shown: Mapping[str, int] = field(default_factory=dict)

    def of(self, section: str) -> int:
        first, _, most = PAGING[section]
        return max(1, min(int(self.shown.get(section, first)), most))

    def more(self, section: str) -> Pages:
        if section not in PAGING:
            return self
        _, step, most = PAGING[section]
        return Pages({**self.shown, section: min(self.of(section) + step, most)})

    def to_json(self) -> dict[str, int]:
        return {s: self.of(s) for s in PAGING if s in self.shown}

    @classmethod
    def from_json(cls, data: Any) -> Pages:
        """Whatever was kept; anything unknown or malformed falls back to the defaults."""
        if not isinstance(data, dict):
            return cls()
        return cls({k: v for k, v in data.items() if k in PAGING and isinstance(v, int)})


def more(section: str, *, total: int, shown: int, pages: Pages) -> list[Block]:
    """The section's footer: a "Show more" button, a pointer elsewhere, or nothing."""
    left = total - shown
    if left <= 0:
        return []
    if pages.of(section) < PAGING[section][2]:
        label = f"Show more ({left} more)"
        return [Actions((Button(label, HOME_MORE, section),), block_id=f"more:{section}")]
    return [Note(f"…and {left} more. {WHERE_ELSE[section]}".strip())]


def top(name: str, *, now: datetime, tz: ZoneInfo) -> list[Block]:
    buttons = (
        Button("Log activity", HOME_LOG, style="primary"),
        Button("New task", HOME_NEW_TASK),
        Button("Settings", HOME_SETTINGS),
    )
    return [
        Header(f"Hello, {name}"),
        Actions(buttons, block_id="home:actions"),
        Note(f"Updated {format_when(now, tz, now=now)}"),
    ]


def tasks(
    open_tasks: Sequence[Task],
    clients: Mapping[int, Client],
    *,
    pages: Pages,
    tz: ZoneInfo,
    now: datetime,
) -> list[Block]:
    """Overdue first (they are due earliest), each with Done and Snooze."""
    late = sum(1 for t in open_tasks if t.due_at < now)
    head = f"Your open tasks ({len(open_tasks)}" + (f", {late} overdue)" if late else ")")
    blocks: list[Block] = [Header(head)]
    if not open_tasks:
        return [*blocks, Text(":tada: Nothing open.")]
    shown = open_tasks[: pages.of("tasks")]
    for task in shown:
        client = clients.get(task.client_id or -1)
        about = f" — {escape(client.name)}" if client else ""
        flag = ":red_circle: overdue · " if task.due_at < now else ""
        when = format_when(task.due_at, tz, now=now)
        blocks.append(Text(f"*{safe(task.title, 300)}*{about}\n{flag}due {when}"))
        buttons = (
            Button("Done", DONE, str(task.id), style="primary"),
            Button("Snooze", SNOOZE, str(task.id)),
        )
        blocks.append(Actions(buttons, block_id=f"task:{task.id}"))
    return blocks + more("tasks", total=len(open_tasks), shown=len(shown), pages=pages)


def approvals(blocks: Sequence[Block], *, total: int, shown: int, pages: Pages) -> list[Block]:
    head: list[Block] = [Header(f"Waiting on your approval ({total})")]
    if total == 0:
        return [*head, Text("No quotes are waiting on you.")]
    return [*head, *blocks, *more("approvals", total=total, shown=shown, pages=pages)]


def at_risk(page: ScoredPage, *, pages: Pages) -> list[Block]:
    """Riskiest first, each with the factor that weighs most."""
    head: list[Block] = [Header(f"Your clients at risk ({page.total})")]
    if not page.items:
        return [*head, Text("None of your clients is at high risk.")]
    lines = [_risk_line(s) for s in page.items]
    return [*head, *_listing(lines), *more("risk", total=page.total, shown=len(lines), pages=pages)]


def _risk_line(found: ClientScore) -> str:
    kept = found.score
    emoji = LEVEL_EMOJI.get(kept.risk_level, HIGH_EMOJI)
    why = f" · {escape(kept.factors[0].text(show_money=True))}" if kept.factors else ""
    return f"{emoji} *{escape(found.client.name)}* — risk {kept.risk_score}{why}"


def reorder(page: ScoredPage, *, pages: Pages, tz: ZoneInfo, now: datetime) -> list[Block]:
    head: list[Block] = [Header(f"Due to reorder ({page.total})")]
    if not page.items:
        return [*head, Text("No reorder is due from your clients in the coming days.")]
    lines = [_reorder_line(s, tz=tz, now=now) for s in page.items]
    return [
        *head,
        *_listing(lines),
        *more("reorder", total=page.total, shown=len(lines), pages=pages),
    ]


def _reorder_line(found: ClientScore, *, tz: ZoneInfo, now: datetime) -> str:
    kept = found.score
    day = None
    if kept.next_order_expected is not None:
        day = format_when(expected_moment(kept.next_order_expected), tz, now=now).split(",")[0]
    return f":package: *{escape(found.client.name)}* — {next_order_text(kept, now=now, day=day)}"


def team(members: Sequence[TeamMember], *, pages: Pages) -> list[Block]:
    """A manager's reports: open and overdue tasks, clients at risk."""
    if not members:
        return []
    shown = members[: pages.of("team")]
    lines = [
        f"*{escape(m.user.name)}* — {m.open_tasks} open tasks"
        + (f", :red_circle: {m.overdue_tasks} overdue" if m.overdue_tasks else "")
        + f" · {m.at_risk} clients at risk"
        for m in shown
    ]
    head: list[Block] = [Header(f"Your team ({len(members)})")]
    return [
        *head,
        *_listing(lines),
        *more("team", total=len(members), shown=len(shown), pages=pages),
    ]


def _listing(lines: Sequence[str]) -> list[Block]:
    return [
        Text("\n".join(lines[i : i + LINES_PER_TEXT])) for i in range(0, len(lines), LINES_PER_TEXT)
    ]
