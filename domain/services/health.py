"""The `/crm health CLIENT` card (CONTRACT §4.1): one client at a glance, as of ``now``.

Health, risk (with its factors), the outlook, the tier, the segment, the reorder rhythm and
the next order are the CONTRACT §6 scores: the latest the ``scores`` job kept for the client
(``load_health`` attaches them), or — before the job has scored the client — provisional
ones computed from the snapshot alone (``domain.services.scoring.provisional_scores``), and
the card says which. Money (CLV, receivables, quote totals, expected revenue) appears only
when the caller passes ``show_money=True``; otherwise the card says "figures hidden" and
keeps the counts. Everything a user or an import wrote is escaped for mrkdwn.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from domain.cards import Block, Card, Divider, Header, Note, Text
from domain.dates import as_zone, format_when
from domain.errors import ClientNotFound
from domain.model import Quote, Task
from domain.ports import UnitOfWork
from domain.ports_chat import ClientSnapshot
from domain.scores import (
    Aging,
    ClvTerms,
    RevenueChange,
    clv_terms,
    format_money,
    monthly_revenue,
    revenue_change,
    sparkline,
)
from domain.scores.aging import ar_aging
from domain.scores.record import ScoreRecord
from domain.scores.tiers import DEFAULT_TIERS, tier_of
from domain.services.health_scores import (
    expected_moment,
    next_order_text,
    outlook_text,
    rhythm_text,
    risk_text,
)
from domain.text import escape, safe

SHOWN_TASKS = 5
SHOWN_QUOTES = 5
NOTE_CHARS = 150
TITLE_CHARS = 100
HIDDEN = "_figures hidden_"


@dataclass
class HealthSnapshot(ClientSnapshot):
    """A ``ClientSnapshot`` plus what the card shows beyond it.

    ``open_tasks`` and ``pending_quotes`` may hold only the first few; the counts are the
    totals. ``names`` maps Slack user ids (authors, assignees, requesters) to names.
    """

    open_task_count: int | None = None
    pending_quote_count: int | None = None
    names: dict[str, str] = field(default_factory=dict)
    kept: ScoreRecord | None = None  # the latest kept §6 scores; None: score it alone
    tiers: tuple[float, ...] = DEFAULT_TIERS  # CLV tier thresholds ([scores] tiers)


async def load_health(uow: UnitOfWork, client_id: int, *, now: datetime) -> ClientSnapshot:
    """The client's snapshot as of ``now``, with its latest kept scores (inside a uow)."""
    snapshot = await uow.snapshots.load(client_id, now=now)
    if snapshot is None:
        raise ClientNotFound(f"#{client_id}")
    return await with_kept_scores(uow, snapshot, now=now)


async def with_kept_scores(
    uow: UnitOfWork,
    snapshot: ClientSnapshot,
    *,
    now: datetime,
    tiers: tuple[float, ...] = DEFAULT_TIERS,
) -> HealthSnapshot:
    """The snapshot with the latest scores the ``scores`` job kept on or before ``now``,
    their CLV tier by ``tiers`` (the policy file's now, which may differ from the job's)."""
    client_id = snapshot.client.id
    day = now.astimezone(UTC).date()
    kept = None if client_id is None else await uow.scores.latest(client_id, on_or_before=day)
    if kept is not None:
        kept = replace(kept, clv_tier=tier_of(float(kept.clv), tiers))
    if isinstance(snapshot, HealthSnapshot):
        snapshot.kept, snapshot.tiers = kept, tiers
        return snapshot
    return HealthSnapshot(**vars(snapshot), kept=kept, tiers=tiers)


@dataclass(frozen=True)
class _Scores:
    terms: ClvTerms
    aging: Aging
    change: RevenueChange
    spark: str
    kept: ScoreRecord
    provisional: bool

    @classmethod
    def of(cls, snap: ClientSnapshot, *, now: datetime) -> _Scores:
        from domain.services.scoring import provisional_scores  # loads the models

        terms = clv_terms(snap.orders, acquisition_cost=snap.client.acquisition_cost, now=now)
        kept = snap.kept if isinstance(snap, HealthSnapshot) else None
        tiers = snap.tiers if isinstance(snap, HealthSnapshot) else DEFAULT_TIERS
        provisional = kept is None
        if kept is None:
            kept = provisional_scores(snap, now=now, thresholds=tiers)
        aging = ar_aging(snap.invoices, now)
        spark = sparkline(monthly_revenue(snap.orders, now))
        return cls(terms, aging, revenue_change(snap.orders, now), spark, kept, provisional)


def health_card(
    snapshot: ClientSnapshot, *, now: datetime, tz: str | ZoneInfo, show_money: bool
) -> Card:
    """The health card: scores with their reasons, value, rhythm, receivables, work, trend."""
    zone = as_zone(tz)
    scores = _Scores.of(snapshot, now=now)
    names = _names(snapshot)
    client, kept = snapshot.client, scores.kept
    blocks: list[Block] = [
        Header(client.name),
        Note(_byline(snapshot, scores)),
        Text(risk_text(kept, show_money=show_money)),
        Divider(),
        Text("*Value and orders*", fields=_value_fields(scores, now, zone, show_money)),
        Text(_contact_text(snapshot, names, now)),
        _receivables(scores.aging, show_money),
        Divider(),
        Text(_tasks_text(snapshot, names, now, zone)),
        Text(_quotes_text(snapshot, names, now, zone, show_money)),
        Note(f"As of {format_when(now, zone, now=now)} · {_basis(scores)}"),
    ]
    summary = f"{client.name}: health {kept.health_score}/100, {kept.risk_level} risk"  # plain
    return Card(summary=summary, blocks=tuple(blocks), shareable=True)


def _basis(scores: _Scores) -> str:
    if scores.provisional:
        return "provisional scores: the daily scores job has not scored this client yet"
    return f"scores of {scores.kept.as_of.isoformat()}"


def _names(snapshot: ClientSnapshot) -> dict[str, str]:
    names = dict(snapshot.names) if isinstance(snapshot, HealthSnapshot) else {}
    owner = snapshot.client.owner_slack_user_id
    if owner and snapshot.owner_name:
        names.setdefault(owner, snapshot.owner_name)
    return names


def _byline(snapshot: ClientSnapshot, scores: _Scores) -> str:
    owner = f"Owner *{escape(snapshot.owner_name)}*" if snapshot.owner_name else "No owner"
    ident = escape(snapshot.client.external_id)
    kept = scores.kept
    segment = kept.rfm_segment.replace("_", " ")
    return f"{owner} · {kept.clv_tier.capitalize()} tier · {segment.capitalize()} · ID {ident}"


def _value_fields(
    scores: _Scores, now: datetime, zone: ZoneInfo, show_money: bool
) -> tuple[str, ...]:
    terms, kept = scores.terms, scores.kept
    if not terms.orders:
        return ("*Lifetime value*\n—", "*Orders*\nNo orders yet")
    value = f"{format_money(terms.clv)} · {kept.clv_trend}" if show_money else HIDDEN
    basis = f"{terms.orders} order{'s' if terms.orders != 1 else ''} over {_span(terms)}"
    if show_money:
        basis += f", avg {format_money(terms.average_order)}"
    expected = kept.next_order_expected
    day = _day(expected_moment(expected), zone, now) if expected else None
    return (
        f"*Lifetime value*\n{value}\n{basis}",
        f"*Order rhythm*\n{rhythm_text(kept)}",
        f"*Next order*\n{next_order_text(kept, now=now, day=day)}",
        f"*Next {kept.horizon_days} days*\n{outlook_text(kept, show_money=show_money)}",
        f"*Revenue, 12 months*\n`{scores.spark}` {_trend(scores.change)}",
    )


def _span(terms: ClvTerms) -> str:
    if terms.lifespan_years >= 1:
        return f"{terms.lifespan_years:.1f} years"
    months = max(1, round(terms.lifespan_years * 12))
    return f"{months} month{'s' if months != 1 else ''}"


def _trend(change: RevenueChange) -> str:
    pct = change.percent
    if pct is None or change.trend == "flat":
        return change.trend
    return f"{change.trend} ({pct:+d}% on the previous 90 days)"


def _contact_text(snapshot: ClientSnapshot, names: dict[str, str], now: datetime) -> str:
    activity = snapshot.last_activity
    if activity is None:
        return "*Last contact:* none logged yet"
    days = (now - activity.occurred_at).total_seconds() / 86_400
    author = names.get(activity.author_slack_user_id or "")
    who = f" by {escape(author)}" if author else ""
    notes = safe(" ".join(activity.notes.split()), NOTE_CHARS)
    said = f": “{notes}”" if notes else ""
    return f"*Last contact:* {activity.type.value.capitalize()}, {_ago(days)}{who}{said}"


def _receivables(aging: Aging, show_money: bool) -> Text:
    if aging.open_invoices == 0:
        return Text("*Receivables:* nothing open")
    counts = f"{aging.open_invoices} open invoice{'s' if aging.open_invoices != 1 else ''}"
    if aging.overdue_invoices:
        counts += f", {aging.overdue_invoices} overdue"
        counts += f" (oldest {aging.oldest_days_overdue} days past due)"
    if not show_money:
        return Text(f"*Receivables:* {HIDDEN} · {counts}")
    head = f"*Receivables:* {format_money(aging.total)} open · {counts}"
    labels = ("Not yet due", "0–30 days", "31–60 days", "61–90 days", "90+ days")
    amounts = (aging.current, *aging.buckets)
    pairs = zip(labels, amounts, strict=True)
    return Text(head, fields=tuple(f"*{k}*\n{format_money(v)}" for k, v in pairs))


def _tasks_text(
    snapshot: ClientSnapshot, names: dict[str, str], now: datetime, zone: ZoneInfo
) -> str:
    tasks = snapshot.open_tasks
    total = _counts(snapshot)[0]
    if not total:
        return "*Open tasks:* none"
    lines = [f"*Open tasks ({total})*", *(_task(t, names, now, zone) for t in tasks[:SHOWN_TASKS])]
    return "\n".join(lines + _more(total, min(len(tasks), SHOWN_TASKS)))


def _task(task: Task, names: dict[str, str], now: datetime, zone: ZoneInfo) -> str:
    due = format_when(task.due_at, zone, now=now)
    mark = ":warning: " if task.due_at < now else ""
    who = names.get(task.assignee_slack_user_id)
    by = f" · {escape(who)}" if who else ""
    return f"• {mark}{safe(task.title, TITLE_CHARS)} — due {due}{by}"


def _quotes_text(
    snapshot: ClientSnapshot,
    names: dict[str, str],
    now: datetime,
    zone: ZoneInfo,
    show_money: bool,
) -> str:
    quotes = snapshot.pending_quotes
    total = _counts(snapshot)[1]
    if not total:
        return "*Pending quotes:* none"
    shown = (_quote(q, names, now, zone, show_money) for q in quotes[:SHOWN_QUOTES])
    lines = [f"*Pending quotes ({total})*", *shown]
    return "\n".join(lines + _more(total, min(len(quotes), SHOWN_QUOTES)))


def _quote(
    quote: Quote, names: dict[str, str], now: datetime, zone: ZoneInfo, show_money: bool
) -> str:
    parts = [safe(quote.external_id, 64)]
    if quote.description:
        parts[0] += f" “{safe(' '.join(quote.description.split()), 60)}”"
    if show_money:
        parts.append(format_money(quote.total, quote.currency))
    if quote.discount_pct:
        parts.append(f"{quote.discount_pct.normalize():f}% off")
    if quote.valid_until is not None:
        lapsed = "lapsed" if quote.valid_until < now else "valid until"
        parts.append(f"{lapsed} {_day(quote.valid_until, zone, now)}")
    who = names.get(quote.requested_by_slack_user_id)
    if who:
        parts.append(f"requested by {escape(who)}")
    return "• " + " · ".join(parts)


def _counts(snapshot: ClientSnapshot) -> tuple[int, int]:
    """Open tasks and pending quotes in all, not only the ones the snapshot carries."""
    tasks, quotes = len(snapshot.open_tasks), len(snapshot.pending_quotes)
    if isinstance(snapshot, HealthSnapshot):
        tasks = max(tasks, snapshot.open_task_count or 0)
        quotes = max(quotes, snapshot.pending_quote_count or 0)
    return tasks, quotes


def _more(total: int, shown: int) -> list[str]:
    return [f"… and {total - shown} more"] if total > shown else []


def _ago(days: float) -> str:
    if days < 1:
        return "today"
    if days < 2:
        return "yesterday"
    return f"{int(days)} days ago"


def _day(moment: datetime, zone: ZoneInfo, now: datetime) -> str:
    """`Fri 4 Dec`, with the year when it is not this year's (in the user's zone)."""
    local = moment.astimezone(zone)
    year = "" if local.year == now.astimezone(zone).year else f" {local.year}"
    return f"{local:%a} {local.day} {local:%b}{year}"
