"""What an approval request, its outcome and the waiting list look like (cards are data).

Every text a user or the ERP supplied (client names, descriptions, comments, reasons) is
escaped here. Times are Slack date tokens, shown in each reader's own zone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from domain.approvals.model import Chain
from domain.cards import Actions, Block, Button, Card, Checkboxes, Note, Text
from domain.chat.replies import APPROVE, REJECT
from domain.model import ApprovalDecision, Decision, Quote
from domain.scores.aging import format_money
from domain.text import escape, safe

APPROVE_COMMENT = "quote_approve_comment"
APPROVE_SELECTED = "quote_approve_selected"
SELECT = "quote_select"
DESCRIPTION_SHOWN = 500
COMMENT_SHOWN = 500
MAX_TICKS = 10  # Block Kit: at most 10 options in one checkbox group


def when(moment: datetime) -> str:
    """A Slack date token: the reader's own zone; the fallback is UTC."""
    epoch = int(moment.timestamp())
    return f"<!date^{epoch}^{{date_short_pretty}} {{time}}|{moment:%Y-%m-%d %H:%M} UTC>"


def money(amount: Decimal | None, currency: str = "USD") -> str:
    return "unknown" if amount is None else format_money(amount, currency)


def decision_line(decision: ApprovalDecision) -> str:
    icon, verb = (
        (":white_check_mark:", "Approved")
        if decision.decision is Decision.APPROVED
        else (":x:", "Rejected")
    )
    line = f"{icon} {verb} by <@{decision.approver_slack_user_id}> ({escape(decision.level_name)})"
    line += f" {when(decision.decided_at)}"
    if decision.comment:
        line += f" — “{safe(' '.join(decision.comment.split()), COMMENT_SHOWN)}”"
    return line


def buttons(chain: Chain) -> Actions:
    value = str(chain.id)
    return Actions(
        (
            Button("Approve", APPROVE, value, style="primary"),
            Button("Reject", REJECT, value, style="danger"),
            Button("Approve with comment…", APPROVE_COMMENT, value),
        ),
        block_id=f"approval:{chain.id}",
    )


def _facts(quote: Quote, chain: Chain) -> tuple[str, ...]:
    fields = [
        f"*Client*\n{escape(chain.facts.client_name)} ({escape(quote.client_external_id)})",
        f"*Total*\n{format_money(quote.total, quote.currency)}",
        f"*Discount*\n{quote.discount_pct.normalize():f}%",
        f"*Valid until*\n{when(quote.valid_until) if quote.valid_until else 'no end date'}",
        f"*Requested by*\n<@{quote.requested_by_slack_user_id}>",
    ]
    facts = chain.facts
    headroom = (
        "unknown (no credit limit)"
        if facts.headroom is None
        else f"{money(facts.headroom, quote.currency)} of {money(facts.credit_limit)}"
    )
    fields.append(f"*Risk · credit headroom*\n{facts.risk_level or 'not scored'} · {headroom}")
    return tuple(fields)


def request_card(
    quote: Quote,
    chain: Chain,
    level_no: int,
    *,
    decisions: Sequence[ApprovalDecision],
    may_decide: bool,
    status: str = "",
) -> Card:
    """One approver's copy: the quote, why it needs them, what was decided so far, and
    either the buttons (``may_decide``) or where things stand (``status``)."""
    level = chain.levels[level_no - 1]
    lead = (
        f":inbox_tray: *Approval needed — quote {escape(quote.external_id)}*"
        f" · level *{escape(level.name)}* ({level_no} of {len(chain.levels)})"
    )
    blocks: list[Block] = [Text(lead, fields=_facts(quote, chain))]
    if quote.description:
        blocks.append(Text(f">{safe(' '.join(quote.description.split()), DESCRIPTION_SHOWN)}"))
    why = "; ".join(f"`{escape(r)}`" for r in level.reasons) or "the approval policy"
    blocks.append(
        Note(
            f"Why you: {why}" + (" · every approver must approve" if level.quorum == "all" else "")
        )
    )
    blocks += [Note(decision_line(d)) for d in decisions]
    blocks.append(buttons(chain) if may_decide else Text(status or "Nothing more to do here."))
    summary = f"Approval needed: quote {quote.external_id} for {chain.facts.client_name}"
    return Card(summary=summary, blocks=tuple(blocks))


def waiting_blocks(items: Sequence[tuple[Quote, Chain]]) -> list[Block]:
    """Each quote in two blocks: what it is, and the same buttons as the request."""
    blocks: list[Block] = []
    for quote, chain in items:
        level = chain.level
        name = escape(level.name) if level else "?"
        text = (
            f"*{escape(quote.external_id)}* · {escape(chain.facts.client_name)} · "
            f"{format_money(quote.total, quote.currency)} · {quote.discount_pct.normalize():f}% off"
            f"\nlevel *{name}* · requested by <@{quote.requested_by_slack_user_id}>"
        )
        if quote.valid_until:
            text += f" · valid until {when(quote.valid_until)}"
        blocks += [Text(text), buttons(chain)]
    return blocks


def waiting_card(items: Sequence[tuple[Quote, Chain]], total: int) -> Card:
    if not items:
        return Card(
            "No quotes wait on you", (Text(":tada: No quotes are waiting on your approval."),)
        )
    blocks: list[Block] = [Text(f"*Quotes waiting on your approval ({total})*")]
    blocks += waiting_blocks(items)
    ticks = tuple(
        (
            f"{q.external_id} · {c.facts.client_name} · {format_money(q.total, q.currency)}",
            str(c.id),
        )
        for q, c in items[:MAX_TICKS]
    )
    blocks.append(Checkboxes("Tick several to approve them in one go:", SELECT, ticks, "bulk"))
    blocks.append(Actions((Button("Approve selected", APPROVE_SELECTED, "bulk", style="primary"),)))
    if total > len(items):
        blocks.append(Note(f"…and {total - len(items)} more; decide these first."))
    return Card(summary=f"{total} quotes wait on your approval", blocks=tuple(blocks))


def outcome_card(quote: Quote, *, status: str, decision: ApprovalDecision | None) -> Card:
    """To the requester: the chain ended (approved, rejected, expired)."""
    text = f"Your quote *{escape(quote.external_id)}* ({format_money(quote.total, quote.currency)})"
    text += f" was *{status}*."
    blocks: list[Block] = [Text(text)]
    if decision is not None:
        blocks.append(Note(decision_line(decision)))
    return Card(summary=f"Quote {quote.external_id} {status}", blocks=tuple(blocks))


def reminder_card(quote: Quote, chain: Chain, *, hours: float) -> Card:
    level = chain.level
    name = escape(level.name) if level else "?"
    text = (
        f":alarm_clock: Reminder: quote *{escape(quote.external_id)}* for "
        f"{escape(chain.facts.client_name)} ({format_money(quote.total, quote.currency)}) has "
        f"waited {hours:g} hours for your decision (level *{name}*)."
    )
    return Card(
        summary=f"Reminder: quote {quote.external_id} waits on you",
        blocks=(Text(text), buttons(chain)),
    )


def escalation_card(quote: Quote, chain: Chain, *, hours: float) -> Card:
    level = chain.level
    who = ", ".join(f"<@{a}>" for a in (level.approvers if level else ()))
    text = (
        f":rotating_light: Quote *{escape(quote.external_id)}* for "
        f"{escape(chain.facts.client_name)} ({format_money(quote.total, quote.currency)}), "
        f"requested by <@{quote.requested_by_slack_user_id}>, has waited over {hours:g} hours "
        f"at level *{escape(level.name) if level else '?'}* ({who or 'no approver'}), "
        "after a reminder. You may want to chase it."
    )
    return Card(summary=f"Quote {quote.external_id} is stuck", blocks=(Text(text),))
