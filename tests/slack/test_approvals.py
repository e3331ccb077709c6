"""Quote approvals end to end: quotes by the REST API, requests by DM, clicks signed."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from sqlalchemy import select

from bot.bootstrap import Container
from bot.localslack import LocalSlack
from domain.approvals.cards import APPROVE_COMMENT
from domain.chat.replies import APPROVE, REJECT
from storage.models import ApprovalDecisionRow
from tests.conftest import FixedClock
from tests.slack.approvals_kit import (
    FIN1,
    FIN2,
    MGR,
    OUTSIDER,
    REP,
    audit,
    deliver,
    get_quote,
    has_buttons,
    latest,
    posts_to,
    press,
    put_quote,
    quote_body,
    read,
    seed_team,
    told,
    updates_of,
)
from tests.slack.chat_fixtures import rows
from tests.slack.conftest import SlackUser


def labels(message: Any) -> list[str]:
    return [
        e["text"]["text"]
        for b in message.blocks
        if b.get("type") == "actions"
        for e in b["elements"]
    ]


async def test_no_level_needed_is_approved_on_arrival(
    user: SlackUser, slack: LocalSlack, app_container: Container, clock: FixedClock
) -> None:
    await seed_team(app_container, slack)
    body = await put_quote(user, "Q-SMALL", quote_body("5000", discount="5"))
    assert (body["status"], body["decisions"]) == ("approved", [])
    await deliver(app_container, clock)
    assert not [m for m in slack.messages if m.method == "chat.postMessage"]
    (entry,) = await audit(app_container, "quote.approved")
    assert entry.details["reason"] == "no approval level applies"


async def test_manager_then_finance_both_approve(
    user: SlackUser, slack: LocalSlack, app_container: Container, clock: FixedClock
) -> None:
    await seed_team(app_container, slack)
    await put_quote(user, "Q-BIG", quote_body("60000", discount="12"))
    await deliver(app_container, clock)
    (request,) = posts_to(slack, MGR)
    assert labels(request) == ["Approve", "Reject", "Approve with comment…"]
    shown = read(request)
    assert "Acme &lt;Industrial&gt; &amp; Co" in shown and "$60,000" in shown
    assert "`discount_pct &gt; 10`" in shown and "`total &gt;= 10000`" in shown
    assert "&lt;b&gt;rush&lt;/b&gt;" in shown and "<b>" not in shown
    assert "not scored" in shown and "$140,000 of $200,000" in shown  # credit headroom
    assert not posts_to(slack, FIN1)  # finance waits for the manager

    reply = await press(user, MGR, request, APPROVE)
    assert "now waits on level *finance*" in await told(slack, reply)
    await deliver(app_container, clock)
    mine = latest(slack, request)
    assert not has_buttons(mine) and f"Approved by <@{MGR}>" in read(mine)
    (fin1,), (fin2,) = posts_to(slack, FIN1), posts_to(slack, FIN2)
    assert "`total &gt;= 50000`" in read(fin1) and "level *finance* (2 of 2)" in read(fin1)

    reply = await press(user, FIN2, fin2, APPROVE)
    assert "it is now *approved*" in await told(slack, reply)
    await deliver(app_container, clock)
    for copy in (fin1, fin2):
        now_reads = latest(slack, copy)
        assert not has_buttons(now_reads) and f"Approved by <@{FIN2}>" in read(now_reads)
        assert "*Approved*" in read(now_reads)
    (outcome,) = posts_to(slack, REP)
    assert "was *approved*" in read(outcome)
    quote = await get_quote(user, "Q-BIG")
    assert quote["status"] == "approved"
    assert [(d["level_name"], d["approver_slack_user_id"]) for d in quote["decisions"]] == [
        ("manager", MGR),
        ("finance", FIN2),
    ]
    decisions = await audit(app_container, "quote.decision")
    assert [(d.actor, d.surface) for d in decisions] == [(MGR, "button"), (FIN2, "button")]
    assert decisions[1].details["after"]["status"] == "approved"
    assert not slack.violations


async def test_credit_limit_sends_it_to_finance_only(
    user: SlackUser, slack: LocalSlack, app_container: Container, clock: FixedClock
) -> None:
    await seed_team(app_container, slack)
    await put_quote(user, "Q-CREDIT", quote_body("8000", client="C2"))
    await put_quote(user, "Q-NOLIMIT", quote_body("8000", client="C3"))
    await deliver(app_container, clock)
    assert not posts_to(slack, MGR)
    (request,) = posts_to(slack, FIN1)
    assert "Q-CREDIT" in read(request) and "`credit_headroom &lt; 0`" in read(request)
    assert "-$3,000 of $20,000" in read(request)  # 20,000 − 15,000 owed − 8,000
    assert (await get_quote(user, "Q-NOLIMIT"))["status"] == "approved"  # headroom unknown


async def test_reject_asks_a_reason_then_tells_everyone(
    user: SlackUser, slack: LocalSlack, app_container: Container, clock: FixedClock
) -> None:
    await seed_team(app_container, slack)
    await put_quote(user, "Q-1", quote_body("12000"))
    await deliver(app_container, clock)
    (request,) = posts_to(slack, MGR)
    await press(user, MGR, request, REJECT)
    (opened,) = await slack.wait_for("views.open")
    view = opened.args["view"]
    assert view["title"]["text"] == "Reject quote"

    status, answer = await user.interact(submission(view, MGR, ""))
    assert status == 200 and answer["response_action"] == "errors"
    assert (await get_quote(user, "Q-1"))["status"] == "pending_approval"

    status, _ = await user.interact(submission(view, MGR, "Margin too thin <@channel>"))
    assert status == 200
    quote = await get_quote(user, "Q-1")
    assert quote["status"] == "rejected"
    assert quote["decisions"][0]["comment"] == "Margin too thin <@channel>"
    await deliver(app_container, clock)
    updated = latest(slack, request)
    assert not has_buttons(updated)
    assert "Rejected by" in read(updated) and "Margin too thin &lt;@channel&gt;" in read(updated)
    (outcome,) = posts_to(slack, REP)
    assert "was *rejected*" in read(outcome) and "Margin too thin" in read(outcome)
    (decision,) = await audit(app_container, "quote.decision")
    assert (decision.surface, decision.details["decision"]) == ("modal", "rejected")


async def test_approve_with_a_comment(
    user: SlackUser, slack: LocalSlack, app_container: Container, clock: FixedClock
) -> None:
    await seed_team(app_container, slack)
    await put_quote(user, "Q-1", quote_body("12000"))
    await deliver(app_container, clock)
    (request,) = posts_to(slack, MGR)
    await press(user, MGR, request, APPROVE_COMMENT)
    (opened,) = await slack.wait_for("views.open")
    status, _ = await user.interact(submission(opened.args["view"], MGR, "Good customer"))
    assert status == 200
    quote = await get_quote(user, "Q-1")
    assert (quote["status"], quote["decisions"][0]["comment"]) == ("approved", "Good customer")


def submission(view: dict[str, Any], actor: str, note: str) -> dict[str, Any]:
    return {
        "type": "view_submission",
        "team": {"id": "T0001"},
        "user": {"id": actor},
        "api_app_id": "A0001",
        "trigger_id": f"{uuid.uuid4().hex}.sub",
        "view": {
            **view,
            "id": "V1",
            "state": {"values": {"note": {"note": {"type": "plain_text_input", "value": note}}}},
        },
    }


async def test_later_clicks_are_told_who_decided(
    user: SlackUser, slack: LocalSlack, app_container: Container, clock: FixedClock
) -> None:
    await seed_team(app_container, slack)
    await put_quote(user, "Q-FIN", quote_body("8000", client="C2"))  # finance: FIN1 or FIN2
    await deliver(app_container, clock)
    (fin1,), (fin2,) = posts_to(slack, FIN1), posts_to(slack, FIN2)
    first = await press(user, FIN1, fin1, APPROVE)
    assert "it is now *approved*" in await told(slack, first)
    again = await press(user, FIN1, fin1, APPROVE)  # a double click
    assert f"already decided: :white_check_mark: Approved by <@{FIN1}>" in await told(slack, again)
    stale = await press(user, FIN2, fin2, REJECT)  # the other approver's copy, not yet updated
    assert f"Approved by <@{FIN1}>" in await told(slack, stale)
    assert not await slack.wait_for("views.open", 0)  # no form for a decided quote
    assert len(await rows(app_container, ApprovalDecisionRow)) == 1
    refused = await audit(app_container, "quote.decision_refused")
    assert [r.details["reason"] for r in refused] == ["decided", "decided"]


async def test_requester_and_outsiders_cannot_decide(
    user: SlackUser, slack: LocalSlack, app_container: Container, clock: FixedClock
) -> None:
    await seed_team(app_container, slack)
    await put_quote(user, "Q-1", quote_body("12000"))
    await deliver(app_container, clock)
    (request,) = posts_to(slack, MGR)
    mine = await press(user, REP, request, APPROVE)
    assert "You requested quote *Q-1*, so you can't decide on it." in await told(slack, mine)
    theirs = await press(user, OUTSIDER, request, APPROVE)
    assert f"Only <@{MGR}> can decide quote *Q-1*" in await told(slack, theirs)
    finance = await press(user, FIN1, request, REJECT)
    assert "nothing changed" in await told(slack, finance)
    quote = await get_quote(user, "Q-1")
    assert (quote["status"], quote["version"], quote["decisions"]) == ("pending_approval", 1, [])
    refused = await audit(app_container, "quote.decision_refused")
    assert [(r.actor, r.details["reason"]) for r in refused] == [
        (REP, "self"),
        (OUTSIDER, "not_approver"),
        (FIN1, "not_approver"),
    ]
    assert all(r.entity_type == "quote" and r.entity_id == "Q-1" for r in refused)
    await deliver(app_container, clock)
    assert not updates_of(slack, request)  # nothing to update: nothing changed


async def test_ten_concurrent_approvals_make_one_decision(
    user: SlackUser, slack: LocalSlack, app_container: Container, clock: FixedClock
) -> None:
    await seed_team(app_container, slack)
    await put_quote(user, "Q-1", quote_body("12000"))
    await deliver(app_container, clock)
    (request,) = posts_to(slack, MGR)
    names = await asyncio.gather(*(press(user, MGR, request, APPROVE) for _ in range(10)))
    answers = [await told(slack, n) for n in names]
    assert sum("You approved quote" in a for a in answers) == 1
    assert sum("already decided" in a for a in answers) == 9
    assert len(await rows(app_container, ApprovalDecisionRow)) == 1
    assert len(await audit(app_container, "quote.decision")) == 1
    assert (await get_quote(user, "Q-1"))["status"] == "approved"


async def test_changed_terms_void_the_old_request_and_start_again(
    user: SlackUser, slack: LocalSlack, app_container: Container, clock: FixedClock
) -> None:
    await seed_team(app_container, slack)
    await put_quote(user, "Q-1", quote_body("12000"))
    await deliver(app_container, clock)
    (old,) = posts_to(slack, MGR)
    restarted = await put_quote(user, "Q-1", quote_body("60000"))
    assert (restarted["status"], restarted["version"]) == ("pending_approval", 2)
    await deliver(app_container, clock)
    assert "*Void*" in read(latest(slack, old)) and not has_buttons(latest(slack, old))
    old_copy, new = posts_to(slack, MGR)
    assert old_copy.ts == old.ts and "$60,000" in read(new) and has_buttons(new)
    stale = await press(user, MGR, old, APPROVE)
    assert "is void" in await told(slack, stale)
    assert (await get_quote(user, "Q-1"))["decisions"] == []
    fresh = await press(user, MGR, new, APPROVE)
    assert "now waits on level *finance*" in await told(slack, fresh)
    assert len(await audit(app_container, "quote.approval_voided")) == 1
    async with app_container.engine.connect() as conn:
        versions = list(await conn.execute(select(ApprovalDecisionRow.quote_version)))
    assert [v for (v,) in versions] == [2]
