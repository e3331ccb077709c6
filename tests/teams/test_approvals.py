"""Approve / Reject from Teams (Action.Execute): the same rules and compare-and-set as Slack."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.bootstrap import Container
from bot.localslack import LocalSlack
from storage.models import ApprovalChainRow, ApprovalDecisionRow, UserRow
from tests.slack.approvals_kit import FIN1, FIN2, OUTSIDER, audit, quote_body, seed_team
from tests.slack.chat_fixtures import rows
from tests.teams.conftest import TeamsUser, actions, card_of, link_teams, mri, texts

APPROVE, REJECT, REFRESH = "quote_approve", "quote_reject", "approval_refresh"


async def _finance_quote(teams: TeamsUser, container: Container, slack: LocalSlack) -> str:
    """A quote only finance must approve (the client is near its credit limit); its chain."""
    await seed_team(container, slack)
    await link_teams(container, FIN1, FIN2, OUTSIDER)
    headers = {"Authorization": "Bearer test-api-token"}
    body = quote_body("6000", client="C2")
    async with teams.http.put(f"{teams.base}/api/v1/quotes/Q-7", json=body, headers=headers) as r:
        assert r.status in (200, 201), await r.text()
    (chain,) = await rows(container, ApprovalChainRow)
    return str(chain.id)


async def _decisions(container: Container) -> list[Any]:
    return await rows(container, ApprovalDecisionRow)


async def test_approve_refreshes_the_card_for_everyone(
    teams: TeamsUser, teams_container: Container, slack: LocalSlack
) -> None:
    chain = await _finance_quote(teams, teams_container, slack)
    before = card_of(await teams.press(FIN1, REFRESH, chain))
    assert [a["verb"] for a in actions(before)][:2] == [APPROVE, REJECT]
    assert any(e["type"] == "Input.Text" and e["id"] == "note" for e in before["body"])
    answer = await teams.press(FIN1, APPROVE, chain)
    card = card_of(answer)
    assert "Approved by Fay Finance" in texts(card)
    assert APPROVE not in [a["verb"] for a in actions(card)]
    assert card["refresh"]["action"] == {
        "type": "Action.Execute",
        "verb": REFRESH,
        "data": {"value": chain},
    }
    assert mri(FIN1) in card["refresh"]["userIds"]
    (decision,) = await _decisions(teams_container)
    assert decision.decision == "approved"
    (row,) = await audit(teams_container, "quote.decision")
    assert (row.actor, row.surface, row.entity_id) == (FIN1, "teams", "Q-7")
    seen = card_of(await teams.press(FIN2, REFRESH, chain))  # the other approver's view
    assert APPROVE not in [a["verb"] for a in actions(seen)]
    assert "Approved by Fay Finance" in texts(seen)


async def test_reject_needs_a_reason(
    teams: TeamsUser, teams_container: Container, slack: LocalSlack
) -> None:
    chain = await _finance_quote(teams, teams_container, slack)
    asked = card_of(await teams.press(FIN2, REJECT, chain, note="   "))
    assert "Say why you reject it" in texts(asked)
    assert REJECT in [a["verb"] for a in actions(asked)]  # still there to press again
    assert await _decisions(teams_container) == []
    card = card_of(await teams.press(FIN2, REJECT, chain, note="Credit is <too> tight"))
    assert "Rejected by Finn Finance" in texts(card)
    assert "Credit is <too> tight" in texts(card)
    (decision,) = await _decisions(teams_container)
    assert (decision.decision, decision.comment) == ("rejected", "Credit is <too> tight")


async def test_only_approvers_decide(
    teams: TeamsUser, teams_container: Container, slack: LocalSlack
) -> None:
    chain = await _finance_quote(teams, teams_container, slack)
    card = card_of(await teams.press(OUTSIDER, APPROVE, chain))
    assert "can decide quote **Q-7**" in texts(card)
    assert APPROVE not in [a["verb"] for a in actions(card)]  # an onlooker gets no buttons
    assert "$6,000" not in texts(card) and "only its approvers" in texts(card)  # nor figures
    assert await _decisions(teams_container) == []
    (refused,) = await audit(teams_container, "quote.decision_refused")
    assert (refused.actor, refused.surface, refused.details["reason"]) == (
        OUTSIDER,
        "teams",
        "not_approver",
    )
    gone = await teams.press(FIN1, APPROVE, "99999")
    assert gone["value"] == "That approval request no longer exists."


async def test_two_approvers_at_once_make_one_decision(
    teams: TeamsUser, teams_container: Container, slack: LocalSlack
) -> None:
    chain = await _finance_quote(teams, teams_container, slack)
    first, second = await asyncio.gather(
        teams.press(FIN1, APPROVE, chain), teams.press(FIN2, APPROVE, chain)
    )
    (decision,) = await _decisions(teams_container)
    users = {u.id: u.slack_user_id for u in await rows(teams_container, UserRow)}
    winner = users[decision.approver_id]
    names = {FIN1: "Fay Finance", FIN2: "Finn Finance"}
    won, lost = (first, second) if winner == FIN1 else (second, first)
    assert f"Approved by {names[winner]}" in texts(card_of(won))
    assert "was already decided" not in texts(card_of(won))
    told = texts(card_of(lost))
    assert "was already decided" in told and names[winner] in told, told
    assert len(await audit(teams_container, "quote.decision")) == 1
    refused = await audit(teams_container, "quote.decision_refused")
    loser = ({FIN1, FIN2} - {winner}).pop()
    assert [(r.actor, r.surface) for r in refused] == [(loser, "teams")]


async def test_quotes_lists_them_with_ticks_to_approve_several(
    teams: TeamsUser, teams_container: Container, slack: LocalSlack
) -> None:
    chain = await _finance_quote(teams, teams_container, slack)
    listed = card_of(await teams.say(FIN1, "quotes"))
    (ticks,) = [e for e in listed["body"] if e["type"] == "Input.ChoiceSet"]
    assert ticks["isMultiSelect"] is True and ticks["id"] == "quote_select"
    assert [c["value"] for c in ticks["choices"]] == [chain]
    answer = await teams.press(FIN1, "quote_approve_selected", "bulk", quote_select=chain)
    shown = texts(card_of(answer))
    assert "You approved quote **Q-7**" in shown and "No quotes are waiting" in shown
    (decision,) = await _decisions(teams_container)
    assert decision.decision == "approved"
    none = texts(card_of(await teams.press(FIN1, "quote_approve_selected", "bulk")))
    assert "Tick at least one quote" in none


async def test_approve_with_a_comment(
    teams: TeamsUser, teams_container: Container, slack: LocalSlack
) -> None:
    chain = await _finance_quote(teams, teams_container, slack)
    card = card_of(await teams.press(FIN2, "quote_approve_comment", chain, note=" fine by me "))
    assert "Approved by Finn Finance" in texts(card) and "fine by me" in texts(card)
    (decision,) = await _decisions(teams_container)
    assert (decision.decision, decision.comment) == ("approved", "fine by me")
