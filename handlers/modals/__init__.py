"""The log and task forms: open, typeahead, and submit with field errors."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.bootstrap import Container
from bot.faults import sorry
from bot.slack import home_view, views
from bot.slack.replies import post_ephemeral
from bot.slack.views_repeat import REPEAT, with_repeat
from domain.chat.grammar import CreateTask, LogActivity
from domain.dates import next_working_day_9am
from domain.errors import BadDate, ClientNotFound, CrmError
from domain.model import ActivityType, Surface
from domain.services.chat import Asker
from handlers.home import refresh_home_if_from_home
from handlers.settings import settings_view

OPTIONS = 20
FIELD_ERROR = 300
SORRY = "Something went wrong on our side and nothing was saved. Please try again."
logger = logging.getLogger(__name__)


def register(app: AsyncApp) -> None:
    app.options(views.CLIENT_ACTION)(client_options)
    app.view(views.LOG)(submit_log)
    app.view(views.TASK)(submit_task)


async def open_modal(
    container: Container,
    kind: str,
    *,
    trigger_id: str,
    body: dict[str, Any],
    client_id: int | None = None,
) -> None:
    user = body.get("user_id") or body["user"]["id"]
    channel = body.get("channel_id") or (body.get("channel") or {}).get("id")
    async with container.uow() as uow:
        client = await uow.clients.get_by_id(client_id) if client_id else None
        if client is None and channel:
            client = await uow.links.client_for(channel)
        me = await container.chat.actor(uow, user)
        await uow.commit()
    if kind == "log":
        view = views.log_view(client=client, channel=channel)
    elif kind == "task":
        due = next_working_day_9am(now=container.clock(), tz=me.tz).astimezone(me.tz).date()
        view = views.task_view(client=client, channel=channel, assignee=user, due=due)
    elif kind == "settings":
        view = await settings_view(container, user, channel=channel)
    else:
        raise CrmError(f"`/crm {kind}` arrives with the scheduling work; it isn't here yet.")
    view = home_view.mark_from_home(view, body)  # its submission then refreshes the Home
    await container.slack_client().views_open(trigger_id=trigger_id, view=view)


async def client_options(ack: Any, body: dict[str, Any], container: Container) -> None:
    """Typeahead: prefix matches first, then the closest names."""
    query = str(body.get("value") or "").strip()[:100]
    async with container.uow(read_only=True) as uow:
        exact = await uow.clients.get(query) if query else None
        prefix = await uow.search.by_prefix(" ".join(query.casefold().split()), limit=OPTIONS)
        similar = await uow.search.similar(query, limit=OPTIONS) if len(query) >= 3 else []
    seen: dict[str, Any] = {}
    for client in [exact, *prefix, *(m.client for m in similar)]:
        if client is not None and client.external_id not in seen:
            seen[client.external_id] = views.client_option(client)
    await ack(options=list(seen.values())[:OPTIONS])


async def submit_log(
    ack: Any, body: dict[str, Any], view: dict[str, Any], container: Container
) -> None:
    values = views.state(view)
    errors = _required(values, client="Pick a client.", notes="Write what happened.")
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    command = LogActivity(
        ActivityType(values.get("type") or "note"),
        values["client"],
        values["notes"],
        views.when_text(values.get("date"), values.get("time"), default_time=None),
    )
    await _submit(ack, body, view, container, command, date_block="date", text_block="notes")


async def submit_task(
    ack: Any, body: dict[str, Any], view: dict[str, Any], container: Container
) -> None:
    values = views.state(view)
    errors = _required(values, title="Say what needs doing.", assignee="Pick who it's for.")
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    command = CreateTask(
        values.get("client"),
        values["title"],
        values["assignee"],
        with_repeat(
            views.when_text(values.get("due_date"), values.get("due_time"), default_time=None),
            values.get(REPEAT),
        ),
    )
    await _submit(ack, body, view, container, command, date_block="due_date", text_block="title")


async def _submit(
    ack: Any,
    body: dict[str, Any],
    view: dict[str, Any],
    container: Container,
    command: LogActivity | CreateTask,
    *,
    date_block: str,
    text_block: str,
) -> None:
    """Save first, then close the form: any problem goes back into the form, so a
    submission is never lost (the form stays open with what was typed)."""
    channel = views.metadata(view).get("channel")
    asker = Asker(body["user"]["id"], channel, Surface.MODAL)
    try:
        card = await container.chat.handle(asker, command)
    except CrmError as exc:
        block = {BadDate: date_block, ClientNotFound: "client"}.get(type(exc), text_block)
        await ack(response_action="errors", errors={block: exc.user_message()[:FIELD_ERROR]})
        return
    except Exception as exc:  # the form must get an answer in time, whatever broke
        told = sorry(exc, doing=f"saving a {type(command).__name__} form", otherwise=SORRY)
        await ack(response_action="errors", errors={text_block: told})
        return
    await ack()
    await post_ephemeral(container.slack_client(), card, user=asker.slack_user_id, channel=channel)
    container.deliver_soon()
    await refresh_home_if_from_home(body, container)


def _required(values: dict[str, Any], **messages: str) -> dict[str, str]:
    return {k: m for k, m in messages.items() if not str(values.get(k) or "").strip()}
