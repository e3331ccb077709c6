"""Approve / Reject on approval requests, the decision form, /crm quotes bulk approve.

Values carry the chain's id; who may decide is checked by the domain against the
database and the user who clicked, never taken from the payload.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.bootstrap import Container
from bot.slack import home_view, render, views, views_approvals
from bot.slack.replies import post_ephemeral
from domain.approvals.cards import APPROVE_COMMENT, APPROVE_SELECTED, SELECT
from domain.cards import Card
from domain.chat.replies import APPROVE, REJECT
from domain.errors import CrmError, UsageError
from domain.model import Decision, Surface
from handlers.home import refresh_home_if_from_home


def register(app: AsyncApp) -> None:
    app.action(APPROVE)(approve)
    app.action(REJECT)(open_form)
    app.action(APPROVE_COMMENT)(open_form)
    app.action(SELECT)(tick)
    app.action(APPROVE_SELECTED)(approve_selected)
    app.view(views_approvals.DECIDE)(submit)


def _chain(text: str) -> int:
    if not text.isdigit():
        raise UsageError("That button is broken; run `/crm quotes` again.")
    return int(text)


def _pressed(body: dict[str, Any]) -> dict[str, Any]:
    return dict(body["actions"][0])


async def _tell(body: dict[str, Any], respond: Any, card: Card, container: Container) -> None:
    """Ephemeral where the click came from. On the App Home (no response_url) the Home's
    middleware makes ``respond`` republish the Home, which shows where things stand."""
    await respond(**render.message(card, replace_original=False, response_type="ephemeral"))


async def approve(ack: Any, body: dict[str, Any], respond: Any, container: Container) -> None:
    await ack()
    chain = _chain(str(_pressed(body).get("value") or ""))
    card = await container.approvals.decide(
        body["user"]["id"], chain, Decision.APPROVED, surface=Surface.BUTTON
    )
    await _tell(body, respond, card, container)
    container.deliver_soon()


async def open_form(ack: Any, body: dict[str, Any], respond: Any, container: Container) -> None:
    """Reject (a reason is required) or Approve with a comment: refused clicks are told
    at once, without a form."""
    await ack()
    pressed = _pressed(body)
    chain = _chain(str(pressed.get("value") or ""))
    decision = Decision.REJECTED if pressed["action_id"] == REJECT else Decision.APPROVED
    refused = await container.approvals.check(body["user"]["id"], chain, surface=Surface.BUTTON)
    if refused is not None:
        await _tell(body, respond, refused, container)
        return
    view = views_approvals.decision_view(
        chain_id=chain,
        decision=decision,
        channel=(body.get("channel") or {}).get("id"),
        response_url=body.get("response_url"),
    )
    view = home_view.mark_from_home(view, body)  # submitted from the Home: refresh it
    await container.slack_client().views_open(trigger_id=body["trigger_id"], view=view)


async def submit(
    ack: Any, body: dict[str, Any], view: dict[str, Any], container: Container
) -> None:
    kept = views.metadata(view)
    note = str(views.state(view).get(views_approvals.NOTE) or "").strip()
    decision = Decision(kept.get("decision") or "approved")
    if decision is Decision.REJECTED and not note:
        await ack(response_action="errors", errors={views_approvals.NOTE: "Say why you reject it."})
        return
    user = body["user"]["id"]
    try:  # decide first, then close the form: a problem goes back into the form
        card = await container.approvals.decide(
            user,
            _chain(str(kept.get("chain") or "")),
            decision,
            surface=Surface.MODAL,
            comment=note,
        )
    except CrmError as exc:
        await ack(response_action="errors", errors={views_approvals.NOTE: exc.user_message()[:300]})
        return
    await ack()
    if not await refresh_home_if_from_home(body, container):
        await post_ephemeral(container.slack_client(), card, user=user, channel=kept.get("channel"))
    container.deliver_soon()


async def tick(ack: Any) -> None:
    """Ticking a box changes nothing until *Approve selected* is pressed."""
    await ack()


async def approve_selected(
    ack: Any, body: dict[str, Any], respond: Any, container: Container
) -> None:
    await ack()
    values = (body.get("state") or {}).get("values") or {}
    ticked = [
        str(option.get("value") or "")
        for block in values.values()
        for action_id, element in block.items()
        if action_id == SELECT
        for option in element.get("selected_options") or []
    ]
    card = await container.approvals.approve_many(
        body["user"]["id"], [_chain(v) for v in ticked], surface=Surface.BUTTON
    )
    await _tell(body, respond, card, container)
    container.deliver_soon()
