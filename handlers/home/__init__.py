"""The App Home tab: app_home_opened, views.publish, and its buttons.

Actions taken from the Home (Done, Snooze, Approve, Reject, "Show more") refresh it: a
listener of such an action calls ``refresh_home_if_from_home(body, container)`` once its
change is committed; it republishes the clicker's Home, keeping its paging, when the
click came from the Home tab (or the form submitted was opened from it: see
``bot.slack.home_view.mark_from_home``), and does nothing (returns False) otherwise.
A listener that answers with ``respond(...)`` gets the refresh without a call: on the
Home, where there is no response_url, ``home_replies`` makes ``respond`` refresh it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext

from bot.bootstrap import Container
from bot.slack import home_view
from domain.services.home import HomeRules, HomeService
from domain.services.home_sections import HOME_LOG, HOME_MORE, HOME_NEW_TASK, HOME_SETTINGS, Pages


def register(app: AsyncApp) -> None:
    app.use(home_replies)
    app.event("app_home_opened")(home_opened)
    app.action(HOME_MORE)(show_more)
    app.action(HOME_LOG)(open_form("log"))
    app.action(HOME_NEW_TASK)(open_form("task"))
    app.action(HOME_SETTINGS)(open_form("settings"))


async def home_replies(
    context: AsyncBoltContext, body: dict[str, Any], next: Callable[[], Awaitable[Any]]
) -> Any:
    """A click on the Home has no response_url to answer on: there, a listener's
    ``respond(...)`` (its reply once the change is made) refreshes the Home instead."""
    if body.get("type") == "block_actions" and home_view.is_home(body.get("view")):
        container: Container = context["container"]

        async def refresh(*_: Any, **__: Any) -> None:
            await refresh_home_if_from_home(body, container)

        context["respond"] = refresh
    return await next()


async def home_opened(event: dict[str, Any], container: Container) -> None:
    if event.get("tab", "home") == "home":
        await publish_home(
            container, str(event["user"]), pages=home_view.pages_of(event.get("view"))
        )


async def show_more(ack: Any, body: dict[str, Any], container: Container) -> None:
    await ack()
    section = str(body["actions"][0].get("value") or "")
    pages = home_view.pages_of(body.get("view")).more(section)
    await publish_home(container, body["user"]["id"], pages=pages)


def open_form(kind: str) -> Any:
    async def listener(ack: Any, body: dict[str, Any], container: Container) -> None:
        from handlers.modals import open_modal  # handlers.modals refreshes the Home too

        await ack()
        await open_modal(container, kind, trigger_id=body["trigger_id"], body=body)

    listener.__name__ = f"home_{kind}"
    return listener


async def publish_home(container: Container, slack_user_id: str, *, pages: Pages) -> None:
    service = HomeService(
        container.chat,
        lambda: container.waiting_approvals,
        HomeRules(risk_at=container.policy.risk.alert_at),
    )
    blocks = await service.blocks(slack_user_id, pages)
    await container.slack_client().views_publish(
        user_id=slack_user_id, view=home_view.home_view(blocks, pages)
    )


async def refresh_home_if_from_home(body: dict[str, Any], container: Container) -> bool:
    """Republish the clicker's Home when ``body`` is an action taken on it, or the
    submission of a form opened from it; True when it did."""
    pages = home_view.from_home(body)
    if pages is None:
        return False
    await publish_home(container, body["user"]["id"], pages=pages)
    return True
