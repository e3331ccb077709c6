"""The /crm settings modal: digest hour and days, quiet hours, alerts."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.bootstrap import Container
from bot.slack import views_settings
from bot.slack.replies import post_ephemeral
from domain.model import Surface
from domain.services import settings
from handlers.home import refresh_home_if_from_home


def register(app: AsyncApp) -> None:
    app.view(views_settings.SETTINGS_VIEW)(submit_settings)


def defaults(container: Container) -> settings.DigestDefaults:
    """The policy file's [digest]: what a user who saved nothing gets."""
    digest = container.policy.digest
    return settings.DigestDefaults(hour=digest.hour, days=tuple(digest.days))


async def settings_view(container: Container, user: str, *, channel: str | None) -> dict[str, Any]:
    """The modal, filled with the user's settings (or the policy's defaults)."""
    async with container.uow() as uow:
        me = await container.chat.actor(uow, user)
        current = await settings.effective(uow, user, defaults=defaults(container))
        teams = await uow.teams_refs.get(user) is not None
        await uow.commit()
    return views_settings.settings_view(current, zone=me.tz.key, channel=channel, teams=teams)


async def submit_settings(
    ack: Any, body: dict[str, Any], view: dict[str, Any], container: Container
) -> None:
    """Save, then close the form; what to fix goes back into the form, field by field."""
    user = body["user"]["id"]
    try:
        async with container.uow() as uow:
            await container.chat.actor(uow, user)  # a user Slack shows us is known before saving
            card = await settings.save(
                uow,
                user,
                views_settings.form(view),
                defaults=defaults(container),
                surface=Surface.MODAL,
                now=container.clock(),
            )
            await uow.commit()
    except settings.SettingsInvalid as exc:
        await ack(response_action="errors", errors=exc.errors)
        return
    await ack()
    channel = views_settings.channel_of(view)
    await post_ephemeral(container.slack_client(), card, user=user, channel=channel)
    await refresh_home_if_from_home(body, container)
