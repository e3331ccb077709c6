"""What a digest says: its sections as data, and the card that fits them in 50 blocks.

Each section is a head, one block per item and a line for what did not fit; when the
whole is over the limit, the longest section gives up items first, and its last line
says how many more there are and where to see them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from domain.cards import Actions, Block, Button, Card, Header, Note, Text
from domain.chat.replies import DONE, auto_mark
from domain.dates import format_when
from domain.model import Activity, Task
from domain.ports_alerts import ClientLine, RiskAlert
from domain.ports_approvals import WaitingSection
from domain.services.risk_alert_cards import alert_buttons, factor_lines
from domain.text import escape, safe

MAX_BLOCKS = 50
NOTE_CHARS = 80


@dataclass(frozen=True)
class TeamLine:
    slack_user_id: str
    overdue: int
    due_today: int


@dataclass
class DigestData:
    tz: ZoneInfo
    now: datetime
    overdue: list[Task] = field(default_factory=list)
    due_today: list[Task] = field(default_factory=list)
    clients: dict[int, ClientLine] = field(default_factory=dict)
    approvals: WaitingSection = field(default_factory=WaitingSection)
    approvals_shown: int = 0  # how many quotes ``approvals.blocks`` hold
    risks: list[RiskAlert] = field(default_factory=list)
    reorders: list[tuple[ClientLine, date]] = field(default_factory=list)
    activity: list[tuple[Activity, ClientLine]] = field(default_factory=list)
    team: list[TeamLine] = field(default_factory=list)

    @property
    def items(self) -> int:
        """How many things the digest reports; zero means no digest at all."""
        return (
            len(self.overdue) + len(self.due_today) + self.approvals.total + len(self.risks)
            + len(self.reorders) + len(self.activity) + len(self.team)
        )  # fmt: skip


@dataclass
class Section:
    head: Block
    items: list[list[Block]]
    more: Callable[[int], str]
    hidden: int = 0  # items left out before this card was built (e.g. approvals)

    def blocks(self) -> list[Block]:
        out: list[Block] = [self.head]
        for item in self.items:
            out += item
        if self.hidden:
            out.append(Note(self.more(self.hidden)))
        return out


def fit(sections: list[Section], budget: int) -> list[Block]:
    """The sections' blocks, dropping items from the longest section until they fit."""

    def size() -> int:
        return sum(len(s.blocks()) for s in sections)

    while size() > budget:
        longest = max((s for s in sections if s.items), key=lambda s: len(s.items), default=None)
        if longest is None:
            break
        longest.items.pop()
        longest.hidden += 1
    return [b for s in sections for b in s.blocks()]


def digest_card(data: DigestData, *, team_names: dict[str, str] | None = None) -> Card:
    sections = [
        s
        for s in (
            _tasks(data), _approvals(data), _risks(data), _reorders(data), _activity(data),
            _team(data),
        )
        if s is not None
    ]  # fmt: skip
    head = Header(f"Your digest — {day_text(data.now.astimezone(data.tz).date())}")
    blocks = [head, *fit(sections, MAX_BLOCKS - 1)]
    return Card(summary=_summary(data), blocks=tuple(blocks))


def day_text(day: date) -> str:
    """`Fri 27 Nov`: a day as the digest names it."""
    return f"{day:%a} {day.day} {day:%b}"


def _summary(data: DigestData) -> str:
    parts = [
        f"{len(data.overdue)} overdue" if data.overdue else "",
        f"{len(data.due_today)} due today" if data.due_today else "",
        f"{data.approvals.total} approvals waiting" if data.approvals.total else "",
        f"{len(data.risks)} clients turned high-risk" if data.risks else "",
        f"{len(data.reorders)} reorder windows opening" if data.reorders else "",
        f"{len(data.team)} on your team with work due" if data.team else "",
    ]
    return "Your digest: " + (", ".join(p for p in parts if p) or "yesterday's activity")


def _tasks(data: DigestData) -> Section | None:
    tasks = [(t, True) for t in data.overdue] + [(t, False) for t in data.due_today]
    if not tasks:
        return None
    head = Text(f"*Tasks* — {len(data.overdue)} overdue, {len(data.due_today)} due today")
    return Section(head, [[_task(t, late, data)] for t, late in tasks],
                   lambda n: f"…and {n} more — `/crm tasks`")  # fmt: skip


def _task(task: Task, late: bool, data: DigestData) -> Block:
    client = data.clients.get(task.client_id or -1)
    about = f" — {escape(client.name)}" if client else ""
    flag = ":red_circle: overdue · " if late else ""
    auto = auto_mark(task)
    return Text(
        f"*{safe(task.title, 300)}*{about}\n{flag}due "
        f"{format_when(task.due_at, data.tz, now=data.now)}{auto}",
        button=Button("Done", DONE, str(task.id)),
    )


def _approvals(data: DigestData) -> Section | None:
    """The Approvals service's own blocks for the first quotes, kept whole (one item)."""
    section = data.approvals
    if not section.total:
        return None
    hidden = section.total - min(section.total, data.approvals_shown)
    return Section(
        Text(f"*Waiting on your approval* — {section.total}"),
        [list(section.blocks)] if section.blocks else [],
        lambda n: f"…and {n} more — `/crm quotes`",
        hidden=max(hidden, 0),
    )


def _risks(data: DigestData) -> Section | None:
    if not data.risks:
        return None
    items: list[list[Block]] = []
    for alert in data.risks:
        reasons = "; ".join(factor_lines(alert, limit=2))
        item: list[Block] = [
            Text(f":warning: *{escape(alert.client.name)}* — risk {alert.risk_score}"
                 + (f"\n{reasons}" if reasons else ""))
        ]  # fmt: skip
        if alert.status == "folded" and alert.handled_at is None and alert.snoozed_until is None:
            item.append(Actions(alert_buttons(alert.id)))
        items.append(item)
    return Section(Text("*Clients that turned high-risk*"), items,
                   lambda n: f"…and {n} more high-risk clients")  # fmt: skip


def _lines(head: str, lines: list[str], more: str) -> Section | None:
    if not lines:
        return None
    return Section(Text(head), [[Text(line)] for line in lines], lambda n: f"…and {n} {more}")


def _reorders(data: DigestData) -> Section | None:
    lines = [
        f":shopping_trolley: *{escape(c.name)}* — reorder window opens {day_text(d)}"
        for c, d in data.reorders
    ]
    return _lines("*Reorder windows opening in the next 3 days*", lines, "more clients")


def _activity(data: DigestData) -> Section | None:
    lines = [
        f"{a.type} with *{escape(c.name)}*: {safe(a.notes.replace(chr(10), ' '), NOTE_CHARS)}"
        for a, c in data.activity
    ]
    what = "activity" if len(lines) == 1 else "activities"
    return _lines(f"*Yesterday you logged {len(lines)} {what}*", lines, "more activities")


def _team(data: DigestData) -> Section | None:
    lines = [
        f"<@{t.slack_user_id}> — {t.overdue} overdue, {t.due_today} due today" for t in data.team
    ]
    return _lines("*Your team*", lines, "more people")
