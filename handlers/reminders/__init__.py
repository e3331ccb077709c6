"""Snooze on task reminders (and on any task card): the choices modal and its submission.

Done on a reminder is the shared ``DONE`` action (handlers/actions).
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.bootstrap import Container
from bot.slack import home_view, views_snooze
from bot.slack.replies import post_ephemeral
from domain.chat import replies
from domain.errors import BadDate, CrmError, UsageError
from domain.model import Surface
from domain.services import snooze
from handlers.home import refresh_home_if_from_home


def register(app: AsyncApp) -> None:
    app.action(replies.SNOOZE)(open_snooze)
    app.view(views_snooze.SNOOZE_VIEW)(submit_snooze)


async def open_snooze(ack: Any, body: dict[str, Any], container: Container) -> None:
    """Offer the choices; a task that can't be snoozed is explained (the error handler)."""
    await ack()
    value = str(body["actions"][0].get("value") or "")
    if not value.isdigit():
        raise UsageError("That button is broken; run the command again.")
    user, now = body["user"]["id"], container.clock()
    async with container.uow() as uow:
        me = await container.chat.actor(uow, user)
        offer = await snooze.offer(uow, user, int(value), now=now, tz=me.tz)
        await uow.commit()
    channel = (body.get("channel") or {}).get("id")
    view = views_snooze.snooze_view(offer, tz=me.tz, now=now, channel=channel)
    view = home_view.mark_from_home(view, body)  # snoozed from the Home: refresh it after
    await container.slack_client().views_open(trigger_id=body["trigger_id"], view=view)


async def submit_snooze(
    ack: Any, body: dict[str, Any], view: dict[str, Any], container: Container
) -> None:
    """Snooze, then close the form; anything wrong goes back into the form as field errors."""
    task_id, channel, choice, typed = views_snooze.submitted(view)
    user = body["user"]["id"]
    try:
        if task_id is None:
            raise UsageError("This form is broken; click Snooze again.")
        async with container.uow() as uow:
            me = await container.chat.actor(uow, user)
            card = await snooze.snooze(
                uow,
                me,
                task_id,
                choice=choice,
                typed=typed,
                surface=Surface.MODAL,
                now=container.clock(),
            )
            await uow.commit()
    except CrmError as exc:
        field = views_snooze.WHEN if isinstance(exc, BadDate) else views_snooze.CHOICE
        await ack(response_action="errors", errors={field: exc.user_message()[:300]})
        return
    await ack()
    await post_ephemeral(container.slack_client(), card, user=user, channel=channel)
    await refresh_home_if_from_home(body, container)
