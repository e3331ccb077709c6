"""``/crm link CLIENT`` and ``/crm unlink``: tie a channel to a client, or untie it.

Admin-only (``domain.access``): a link decides where everybody's ``/crm log`` in that
channel lands. A refusal is raised before anything is read or written. Each change
writes one audit row with what the channel was tied to before and after.
"""

from __future__ import annotations

from datetime import datetime

from domain import access
from domain.cards import Card, info_card
from domain.errors import UsageError
from domain.model import AuditEntry, Client, Surface
from domain.ports import UnitOfWork
from domain.services.identity import Actor
from domain.text import escape

LINK = "link channels to clients"
UNLINK = "unlink channels from clients"


async def check(uow: UnitOfWork, me: Actor, *, unlinking: bool = False) -> None:
    """Refuse a non-admin before the client is even looked up."""
    await access.require_admin(uow.users, me.user, UNLINK if unlinking else LINK)


async def link(
    uow: UnitOfWork,
    me: Actor,
    client: Client,
    *,
    channel_id: str | None,
    surface: Surface,
    now: datetime,
) -> Card:
    await check(uow, me)
    if not channel_id:
        raise UsageError("Run `/crm link` in the channel you want to tie to the client.")
    assert client.id is not None
    before = await uow.links.client_for(channel_id)
    await uow.links.link(channel_id, client.id, by=me.slack_user_id, now=now)
    was = before.external_id if before else None
    await _audit(uow, me, "channel.linked", channel_id, client, surface, now, was=was)
    return info_card(
        f":link: This channel is now tied to *{escape(client.name)}*; "
        "`/crm log call: …` here logs to it."
    )


async def unlink(
    uow: UnitOfWork, me: Actor, *, channel_id: str | None, surface: Surface, now: datetime
) -> Card:
    await check(uow, me, unlinking=True)
    linked = await uow.links.client_for(channel_id) if channel_id else None
    if linked is None or not channel_id:
        return info_card("This channel isn't tied to a client; nothing to unlink.")
    await uow.links.unlink(channel_id)
    await _audit(uow, me, "channel.unlinked", channel_id, linked, surface, now, was=None)
    return info_card(f"This channel is no longer tied to *{escape(linked.name)}*.")


async def _audit(
    uow: UnitOfWork,
    me: Actor,
    action: str,
    channel_id: str,
    client: Client,
    surface: Surface,
    now: datetime,
    *,
    was: str | None,
) -> None:
    linking = action == "channel.linked"
    before = was if linking else client.external_id
    after = client.external_id if linking else None
    await uow.audit.add(
        AuditEntry(
            actor=me.slack_user_id,
            surface=surface,
            action=action,
            entity_type="channel",
            entity_id=channel_id,
            details={
                "client_external_id": client.external_id,
                "before": {"client_external_id": before},
                "after": {"client_external_id": after},
            },
            at=now,
        )
    )
