"""Approvals over time and in bulk: /crm quotes, quorum all, escalation, expiry, imports."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.bootstrap import Container
from bot.config import parse_policy
from bot.localslack import LocalSlack, Message
from domain.approvals.cards import APPROVE_SELECTED, SELECT
from domain.chat.replies import APPROVE, REJECT
from domain.model import Surface
from domain.services.importing import ImportService
from schedulers.jobs import run_job
from tests.conftest import FixedClock
from tests.slack.approvals_kit import (
    BIGBOSS,
    FIN1,
    FIN2,
    MGR,
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
)
from tests.slack.chat_fixtures import reply, text_of
from tests.slack.conftest import SlackUser


async def test_crm_quotes_lists_and_approves_ticked_ones(
    user: SlackUser, slack: LocalSlack, app_container: Container, clock: FixedClock
) -> None:
    await seed_team(app_container, slack)
    for key in ("Q-1", "Q-2", "Q-3"):
        await put_quote(user, key, quote_body("12000"))
    await user.command("quotes", user=MGR)
    listing = await reply(slack, 1)
    text = text_of(listing)
    assert "Quotes waiting on your approval (3)" in text
    assert text.index("Q-1") < text.index("Q-2") < text.index("Q-3")
    approve = [
        e
        for b in listing["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == APPROVE
    ]
    assert len(approve) == 3
    (boxes,) = [
        b for b in listing["blocks"] if (b.get("accessory") or {}).get("type") == "checkboxes"
    ]
    options = boxes["accessory"]["options"]
    ticked = [o for o in options if o["text"]["text"].startswith(("Q-1", "Q-3"))]
    message = Message("response_url", "C0GENERAL", "1.1", "", listing["blocks"])
    state = {"bulk": {SELECT: {"type": "checkboxes", "selected_options": ticked}}}
    name = await press(user, MGR, message, APPROVE_SELECTED, state=state)
    answer = await told(slack, name)
    assert answer.count("You approved quote") == 2, answer
    assert [(await get_quote(user, k))["status"] for k in ("Q-1", "Q-2", "Q-3")] == [
        "approved",
        "pending_approval",
        "approved",
    ]
    again = await press(user, MGR, message, APPROVE_SELECTED, state=state)
    assert (await told(slack, again)).count("already decided") == 2
    none = await press(user, MGR, message, APPROVE_SELECTED, state={})
    assert "Tick at least one" in await told(slack, none)
    assert len(await audit(app_container, "quote.decision")) == 2
    await deliver(app_container, clock)
    assert len(posts_to(slack, REP)) == 2  # the requester hears of each


async def test_waiting_approvals_port_for_digest_and_home(
    user: SlackUser, slack: LocalSlack, app_container: Container, clock: FixedClock
) -> None:
    await seed_team(app_container, slack)
    for key in ("Q-1", "Q-2"):
        await put_quote(user, key, quote_body("12000"))
    async with app_container.uow() as uow:
        section = await app_container.waiting_approvals.waiting_on(uow, MGR, now=clock.now, limit=1)
        nobody = await app_container.waiting_approvals.waiting_on(uow, FIN1, now=clock.now, limit=5)
    assert section.total == 2 and len(section.blocks) == 2  # one quote: text and buttons
    assert "Q-1" in getattr(section.blocks[0], "text", "")
    assert (nobody.total, nobody.blocks) == (0, ())


def custom_policy(container: Container, tmp_path: Path, text: str) -> None:
    path = tmp_path / "crmbot.toml"
    path.write_text(text, encoding="utf-8")
    container._policy = parse_policy(text, path)  # as CRMBOT_CONFIG would name it


async def test_custom_policy_with_quorum_all(
    user: SlackUser,
    slack: LocalSlack,
    app_container: Container,
    clock: FixedClock,
    tmp_path: Path,
) -> None:
    custom_policy(
        app_container,
        tmp_path,
        f"""
[approval]
escalate_after_hours = 4

[[approval.levels]]
name = "board"
approver = "users:{FIN1},{FIN2}"
quorum = "all"
when = 'requester.role == "rep" and not (total < 1000)'
""",
    )
    await seed_team(app_container, slack)
    await put_quote(user, "Q-1", quote_body("1500"))
    small = await put_quote(user, "Q-2", quote_body("999"))
    assert small["status"] == "approved"
    await deliver(app_container, clock)
    (fin1,), (fin2,) = posts_to(slack, FIN1), posts_to(slack, FIN2)
    assert "every approver must approve" in read(fin1)
    first = await press(user, FIN1, fin1, APPROVE)
    assert "You approved quote *Q-1*; it now waits on level *board*" in await told(slack, first)
    assert (await get_quote(user, "Q-1"))["status"] == "pending_approval"
    await deliver(app_container, clock)
    assert "waiting for the other approvers" in read(latest(slack, fin1))
    assert has_buttons(latest(slack, fin2))
    second = await press(user, FIN2, fin2, APPROVE)
    assert "it is now *approved*" in await told(slack, second)
    quote = await get_quote(user, "Q-1")
    assert [d["approver_slack_user_id"] for d in quote["decisions"]] == [FIN1, FIN2]


async def test_escalation_reminds_once_then_tells_the_manager(
    user: SlackUser, slack: LocalSlack, app_container: Container, clock: FixedClock
) -> None:
    await seed_team(app_container, slack)
    await put_quote(user, "Q-1", quote_body("8000", client="C2"))  # finance (credit)
    await deliver(app_container, clock)
    start = clock.now

    async def cycle(hours: float) -> dict[str, int]:
        clock.now = start + timedelta(hours=hours)
        return dict((await run_job(app_container, "quote-expiry", now=clock.now)).counts)

    assert (await cycle(23))["reminded"] == 0
    assert ((await cycle(25))["reminded"], (await cycle(26))["reminded"]) == (1, 0)
    await deliver(app_container, clock)
    for approver in (FIN1, FIN2):
        _, reminder = posts_to(slack, approver)
        assert "Reminder" in read(reminder) and "waited 24 hours" in read(reminder)
    assert not posts_to(slack, MGR)
    assert (await cycle(48))["escalated"] == 0
    assert (await cycle(49.5))["escalated"] == 1
    assert (await cycle(80))["escalated"] == 0
    await deliver(app_container, clock)
    (escalation,) = posts_to(slack, MGR)  # the requester's manager, once
    assert "Q-1" in read(escalation) and f"<@{FIN1}>" in read(escalation)
    assert not posts_to(slack, BIGBOSS)
    assert len(await audit(app_container, "quote.approval_reminded")) == 1
    assert len(await audit(app_container, "quote.approval_escalated")) == 1


async def test_expiry_marks_quotes_and_their_requests(
    user: SlackUser, slack: LocalSlack, app_container: Container, clock: FixedClock
) -> None:
    await seed_team(app_container, slack)
    await put_quote(user, "Q-1", quote_body("12000", valid_until="2026-11-26T00:00:00Z"))
    await put_quote(user, "Q-2", quote_body("12000"))
    await deliver(app_container, clock)
    request = posts_to(slack, MGR)[0]
    clock.now += timedelta(days=2)
    done = await run_job(app_container, "quote-expiry", now=clock.now)
    assert done.counts["expired"] == 1
    twice = await run_job(app_container, "quote-expiry", now=clock.now)
    assert twice.counts["expired"] == 0
    assert (await get_quote(user, "Q-1"))["status"] == "expired"
    assert (await get_quote(user, "Q-2"))["status"] == "pending_approval"
    await deliver(app_container, clock)
    now_reads = latest(slack, request)
    assert "*Expired*" in read(now_reads) and not has_buttons(now_reads)
    (outcome,) = posts_to(slack, REP)
    assert "was *expired*" in read(outcome)
    late = await press(user, MGR, request, APPROVE)
    assert "expired before a decision" in await told(slack, late)
    (entry,) = await audit(app_container, "quote.expired")
    assert (entry.actor, entry.surface) == ("crmbot", "scheduler")


async def test_imported_quotes_start_their_approval(
    user: SlackUser, slack: LocalSlack, app_container: Container, clock: FixedClock
) -> None:
    await seed_team(app_container, slack)
    head = {"requested_by_slack_user_id": REP, "client_external_id": "C1"}
    rows_in = [
        (2, {**head, "external_id": "Q-I1", "total": "12000"}),
        (3, {**head, "external_id": "Q-I2", "total": "100"}),
    ]
    importer = ImportService(approvals=app_container.approvals)
    await importer.run(
        "quotes",
        rows_in,
        uow_factory=app_container.uow,
        actor="me",
        surface=Surface.CLI,
        now=clock.now,
    )
    assert (await get_quote(user, "Q-I1"))["status"] == "pending_approval"
    assert (await get_quote(user, "Q-I2"))["status"] == "approved"
    await deliver(app_container, clock)
    (request,) = posts_to(slack, MGR)
    assert "Q-I1" in read(request)
    repriced = [(2, {**head, "external_id": "Q-I1", "total": "60000"})]
    await importer.run(
        "quotes",
        repriced,
        uow_factory=app_container.uow,
        actor="me",
        surface=Surface.CLI,
        now=clock.now,
    )
    await deliver(app_container, clock)
    assert "*Void*" in read(latest(slack, request))
    assert "$60,000" in read(posts_to(slack, MGR)[-1])
    same = await importer.run(
        "quotes",
        repriced,
        uow_factory=app_container.uow,
        actor="me",
        surface=Surface.CLI,
        now=clock.now,
    )
    assert same.unchanged == 1 and len(posts_to(slack, MGR)) == 2


async def test_a_decided_round_is_void_when_terms_change(
    user: SlackUser, slack: LocalSlack, app_container: Container, clock: FixedClock
) -> None:
    await seed_team(app_container, slack)
    await put_quote(user, "Q-1", quote_body("12000"))
    await deliver(app_container, clock)
    (request,) = posts_to(slack, MGR)
    await told(slack, await press(user, MGR, request, APPROVE))
    again = await put_quote(user, "Q-1", quote_body("13000"))
    assert (again["status"], again["version"]) == ("pending_approval", 3)
    await deliver(app_container, clock)
    assert "*Void*" in read(latest(slack, request))
    assert "$13,000" in read(posts_to(slack, MGR)[-1])
    assert len(await audit(app_container, "quote.approval_voided")) == 1


async def test_clicks_on_the_app_home_refresh_it(
    user: SlackUser, slack: LocalSlack, app_container: Container, clock: FixedClock
) -> None:
    await seed_team(app_container, slack)
    await put_quote(user, "Q-1", quote_body("12000"))
    await deliver(app_container, clock)
    (request,) = posts_to(slack, MGR)
    await press(user, REP, request, APPROVE, home=True)  # refused: the Home shows it unchanged
    (first,) = await slack.wait_for("views.publish")
    assert first.args["user_id"] == REP
    assert (await get_quote(user, "Q-1"))["status"] == "pending_approval"
    await press(user, MGR, request, REJECT, home=True)  # the form remembers the Home
    (opened,) = await slack.wait_for("views.open")
    assert '"home"' in opened.args["view"]["private_metadata"]
    await press(user, MGR, request, APPROVE, home=True)
    await slack.wait_for("views.publish", 2)
    assert (await get_quote(user, "Q-1"))["status"] == "approved"
    assert slack.calls_to("response_url") == []
