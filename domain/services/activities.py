"""Logging activities, and undoing a slip within ten minutes."""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.cards import Card, info_card
from domain.chat import replies
from domain.chat.commitments import spot_commitment
from domain.chat.grammar import LogActivity
from domain.dates import parse_when
from domain.errors import CrmError, NotAllowed
from domain.model import Activity, AuditEntry, Client, Surface
from domain.ports import UnitOfWork
from domain.ports_api import Webhooks
from domain.services.identity import Actor
from domain.webhooks import NO_WEBHOOKS, activity_logged

UNDO_WINDOW = timedelta(minutes=10)
SUGGESTION_TTL = timedelta(days=2)


class ActivityNotFound(CrmError, LookupError):
    def __init__(self) -> None:
        super().__init__("That activity no longer exists.")


async def log(
    uow: UnitOfWork,
    me: Actor,
    command: LogActivity,
    *,
    client: Client,
    surface: Surface,
    now: datetime,
    permalink: str | None = None,
    source_ref: str | None = None,
    webhooks: Webhooks = NO_WEBHOOKS,
    at: datetime | None = None,
) -> Card:
    """Store the activity (author, source, when in UTC) and confirm it with Undo;
    ``activity.logged`` goes to the webhooks in the same transaction. ``at`` is a known
    moment (a logged message's own time), taken instead of the command's WHEN."""
    assert client.id is not None
    when = at or (
        parse_when(command.when, now=now, tz=me.tz, purpose="activity") if command.when else now
    )
    activity = await uow.activities.add(
        Activity(
            client_id=client.id,
            type=command.type,
            notes=command.notes,
            occurred_at=when,
            author_slack_user_id=me.slack_user_id,
            source=surface,
            permalink=permalink,
            source_ref=source_ref,
            created_at=now,
        )
    )
    await uow.audit.add(
        AuditEntry(
            actor=me.slack_user_id,
            surface=surface,
            action="activity.logged",
            entity_type="activity",
            entity_id=str(activity.id),
            details={
                "client_external_id": client.external_id,
                "type": str(command.type),
                "occurred_at": when.isoformat(),
                **({"source_ref": source_ref} if source_ref else {}),
            },
            at=now,
        )
    )
    await webhooks.emit(
        uow,
        "activity.logged",
        activity_logged(activity, client),
        entity=str(activity.id),
        version=1,
        now=now,
    )
    suggestion = spot_commitment(command.notes, now=now, tz=me.tz)
    offer = None
    if suggestion is not None:
        token = await uow.pending.put(
            user=me.slack_user_id,
            kind="suggested_task",
            payload={
                "title": suggestion.title,
                "due_at": suggestion.due_at.isoformat(),
                "client_id": client.id,
            },
            now=now,
            ttl=SUGGESTION_TTL,
        )
        offer = (suggestion, token)
    return replies.logged(activity, client, tz=me.tz, now=now, suggestion=offer)


async def undo(uow: UnitOfWork, slack_user_id: str, activity_id: int, *, now: datetime) -> Card:
    """Only the author, only within ten minutes; a second undo changes nothing."""
    activity = await uow.activities.get(activity_id)
    if activity is None:
        raise ActivityNotFound()
    if activity.author_slack_user_id != slack_user_id:
        raise NotAllowed("Only the person who logged this activity can undo it.")
    if activity.deleted_at is not None:
        return info_card("Already undone.")
    logged_at = activity.created_at or activity.occurred_at
    if now - logged_at > UNDO_WINDOW:
        raise NotAllowed("Undo works for 10 minutes after logging; this one is older, so it stays.")
    if not await uow.activities.undo(activity_id, now=now):
        return info_card("Already undone.")
    await uow.audit.add(
        AuditEntry(
            actor=slack_user_id,
            surface=Surface.BUTTON,
            action="activity.undone",
            entity_type="activity",
            entity_id=str(activity_id),
            details={
                "client_id": activity.client_id,
                "before": {"deleted_at": None},
                "after": {"deleted_at": now.isoformat()},
            },
            at=now,
        )
    )
    return info_card(":leftwards_arrow_with_hook: Undone — that activity is no longer logged.")
