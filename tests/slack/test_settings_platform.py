"""/crm settings: Slack or Microsoft Teams for a user's reminders, digests and alerts."""

from __future__ import annotations

from typing import Any

from bot.bootstrap import Container
from bot.localslack import LocalSlack
from domain.teams import TeamsConversationRef
from storage.models import AuditRow, UserPreferencesRow
from tests.slack.chat_fixtures import OTHER, REP, rows, seed, text_of
from tests.slack.conftest import SlackUser
from tests.slack.test_reminders import submit
from tests.slack.test_settings import blocks, opened, values

REF = TeamsConversationRef("a:personal-dana", "https://smba.example/emea/", "28:crmbot")


async def _on_teams(container: Container, user: str) -> None:
    """What the Teams handler keeps when ``user`` writes to the bot there."""
    async with container.uow() as uow:
        found = await uow.users.get(user)
        assert found is not None and found.id is not None
        await uow.teams_refs.remember(found.id, REF, now=container.clock())
        await uow.commit()


def _platform(choice: str) -> dict[str, Any]:
    return {"type": "radio_buttons", "selected_option": {"value": choice}}


async def test_without_teams_the_form_says_how_to_get_it_and_keeps_slack(
    user: SlackUser, slack: LocalSlack, app_container: Container
) -> None:
    await seed(app_container, slack)
    view = await opened(user, slack)
    assert "platform" not in blocks(view)
    assert "Microsoft Teams" in view["blocks"][-1]["elements"][0]["text"]
    assert (await user.interact(submit(view, values())))[1] == ""
    [saved] = await rows(app_container, UserPreferencesRow)
    assert saved.platform == "slack"
    # a form that offers Teams to someone Teams has never seen is refused, field by field
    chosen = values() | {"platform": _platform("teams")}
    status, answer = await user.interact(submit(view, chosen, user=OTHER))
    assert status == 200 and "Write to crmbot in Microsoft Teams" in answer["errors"]["platform"]
    wrong = values() | {"platform": _platform("fax")}
    assert (
        "Slack or Microsoft Teams"
        in (await user.interact(submit(view, wrong)))[1]["errors"]["platform"]
    )
    assert [r.user_id for r in await rows(app_container, UserPreferencesRow)] == [saved.user_id]
    assert not slack.violations


async def test_a_user_on_teams_picks_it_and_the_choice_is_saved_and_audited(
    user: SlackUser, slack: LocalSlack, app_container: Container
) -> None:
    await seed(app_container, slack)
    await _on_teams(app_container, REP)
    form = blocks(await opened(user, slack))
    assert form["platform"]["type"] == "radio_buttons"
    assert form["platform"]["initial_option"]["value"] == "slack"
    view = await opened(user, slack, 2)
    assert (await user.interact(submit(view, values() | {"platform": _platform("teams")})))[1] == ""
    [confirm] = await slack.wait_for("chat.postEphemeral")
    assert "Messages come in Microsoft Teams" in text_of(confirm.args)
    [saved] = await rows(app_container, UserPreferencesRow)
    assert saved.platform == "teams"
    [audit] = [r for r in await rows(app_container, AuditRow) if r.action == "settings.saved"]
    assert (audit.details["before"]["platform"], audit.details["after"]["platform"]) == (
        "slack",
        "teams",
    )
    again = blocks(await opened(user, slack, 3))
    assert again["platform"]["initial_option"]["value"] == "teams"
    assert not slack.violations
