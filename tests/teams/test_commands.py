"""Commands typed to the bot in Teams, through the real app, answered through the stand-in."""

from __future__ import annotations

from sqlalchemy import text

from bot.bootstrap import Container
from bot.localslack import LocalSlack
from bot.localteams import LocalTeams
from storage.models import ActivityRow, AuditRow, TaskRow, TeamsConversationRow, UserRow
from tests.slack.chat_fixtures import OTHER, REP, seed
from tests.slack.chat_fixtures import rows as table
from tests.teams.conftest import TeamsUser, actions, card_of, link_teams, texts


async def test_log_call_in_a_personal_chat(
    teams: TeamsUser, teams_container: Container, slack: LocalSlack, connector: LocalTeams
) -> None:
    await seed(teams_container, slack)
    await link_teams(teams_container, REP)
    typed = "log call Northwind: talked about the &lt;b&gt;renewal&lt;/b&gt; &amp; <i>more</i>"
    reply = await teams.say(REP, typed)  # Teams sends typed text as HTML
    method, path, _ = connector.activities[-1]
    assert method == "POST"
    assert path.startswith("/v3/conversations/a:personal-u0rep1/activities/act-")
    card = card_of(reply)
    assert card["version"] == "1.5" and card["type"] == "AdaptiveCard"
    assert "Northwind Supply Co" in texts(card)
    assert any(a["verb"] == "undo_activity" for a in actions(card))
    (logged,) = await table(teams_container, ActivityRow)
    users = {u.id: u.slack_user_id for u in await table(teams_container, UserRow)}
    assert (users[logged.author_id], logged.source) == (REP, "teams")
    assert logged.notes == "talked about the <b>renewal</b> & more"
    audited = [r for r in await table(teams_container, AuditRow) if r.action == "activity.logged"]
    assert [(r.actor, r.surface) for r in audited] == [(REP, "teams")]


async def test_health_with_an_at_mention_in_a_channel(
    teams: TeamsUser, teams_container: Container, slack: LocalSlack, connector: LocalTeams
) -> None:
    await seed(teams_container, slack)
    await link_teams(teams_container, REP)
    mention = {"type": "mention", "mentioned": {"id": "28:crmbot-app"}, "text": "<at>crmbot</at>"}
    reply = await teams.say(
        REP, "<at>crmbot</at> health northwind", channel="sales", entities=[mention]
    )
    assert connector.activities[-1].path.startswith("/v3/conversations/19:sales@thread.tacv2")
    shown = texts(card_of(reply))
    assert "Northwind Supply Co" in shown
    assert "*Northwind" not in shown.replace("**", "")  # mrkdwn bold became Markdown bold
    assert "Share in channel" not in shown  # a reply in Teams is seen by the channel already


async def test_tasks_with_done_refreshes_the_list(
    teams: TeamsUser, teams_container: Container, slack: LocalSlack
) -> None:
    await seed(teams_container, slack)
    await link_teams(teams_container, REP)
    made = await teams.say(REP, "task Blue Ridge: send samples | tomorrow 3pm")
    assert "send samples" in texts(card_of(made))
    listed = card_of(await teams.say(REP, "tasks"))
    (done,) = [a for a in actions(listed) if a["verb"] == "task_done"]
    assert done["type"] == "Action.Execute" and done["data"]["value"].isdigit()
    answer = await teams.press(REP, "task_done", done["data"]["value"])
    assert answer["statusCode"] == 200
    card = card_of(answer)
    assert "task_done" not in [a["verb"] for a in actions(card)]
    (task,) = await table(teams_container, TaskRow)
    assert task.status == "done"
    audited = [r for r in await table(teams_container, AuditRow) if r.action == "task.completed"]
    assert [(r.actor, r.surface) for r in audited] == [(REP, "teams")]
    again = await teams.press(REP, "task_done", done["data"]["value"])
    assert again["statusCode"] == 200  # a second press (a retry) changes nothing
    assert (
        len([r for r in await table(teams_container, AuditRow) if r.action == "task.completed"])
        == 1
    )


async def test_bad_input_gets_a_clear_reply_and_changes_nothing(
    teams: TeamsUser, teams_container: Container, slack: LocalSlack
) -> None:
    await seed(teams_container, slack)
    await link_teams(teams_container, REP)
    cases = {
        "frobnicate": "I don't know `frobnicate`",
        "log call: no client named": "name one",
        "log call Nowhere Ltd: hello": "Nowhere",
        "task Northwind: call back | last year": "",
        "log": "type it in one line",
        "link Northwind": "Slack",
        "task <at>Sam Rep</at> Northwind: call": "by @mention",
    }
    for typed, expected in cases.items():
        shown = texts(card_of(await teams.say(REP, typed)))
        assert "⚠️" in shown, typed
        assert expected in shown, (typed, shown)
        assert "Traceback" not in shown
    assert await table(teams_container, ActivityRow) == []
    assert await table(teams_container, TaskRow) == []
    broken = await teams.press(REP, "task_done", "not-a-number")
    assert broken["type"] == "application/vnd.microsoft.activity.message"
    assert "broken" in broken["value"]
    unknown = await teams.press(REP, "follow_up_task", "1")
    assert "Slack" in unknown["value"]


async def test_users_are_matched_by_aad_id_then_email_else_added_and_told(
    teams: TeamsUser, teams_container: Container, slack: LocalSlack
) -> None:
    await seed(teams_container, slack)
    async with teams_container.engine.begin() as conn:
        await conn.execute(
            text("UPDATE users SET email = 'sam@x.io' WHERE slack_user_id = :u"), {"u": OTHER}
        )
    by_email = await teams.say("STRANGER1", "tasks", sender={"email": "SAM@x.io"}, display="Sam")
    assert "new to crmbot" not in texts(card_of(by_email))  # matched by email: Sam Rep
    (kept,) = await table(teams_container, TeamsConversationRow)
    assert kept.aad_object_id == "aad-stranger1"
    reply = await teams.say("STRANGER2", "tasks", display="Pat Newcomer")
    assert "new to crmbot" in texts(card_of(reply))
    again = await teams.say("STRANGER2", "tasks", display="Pat Newcomer")
    assert "new to crmbot" not in texts(card_of(again))
    users = {r.slack_user_id: r for r in await table(teams_container, UserRow)}
    (added,) = [u for u in users.values() if u.slack_user_id.startswith("ms:")]
    assert (added.name, added.role, len(added.slack_user_id)) == ("Pat Newcomer", "rep", 32)
    kept_for = {r.user_id for r in await table(teams_container, TeamsConversationRow)}
    assert added.id in kept_for  # Teams is the newcomer's only way to be reached
    audited = [r for r in await table(teams_container, AuditRow) if r.action == "user.added"]
    assert [(r.actor, r.surface) for r in audited] == [(added.slack_user_id, "teams")]


async def test_help_and_find(
    teams: TeamsUser, teams_container: Container, slack: LocalSlack
) -> None:
    await seed(teams_container, slack)
    await link_teams(teams_container, REP)
    assert "without `/crm`" in texts(card_of(await teams.say(REP, "<at>crmbot</at> help")))
    found = texts(card_of(await teams.say(REP, "/crm find acme")))
    assert "Acme Industrial" in found and "Acme Industries" in found


async def test_a_redelivered_message_runs_once(
    teams: TeamsUser, teams_container: Container, slack: LocalSlack, connector: LocalTeams
) -> None:
    await seed(teams_container, slack)
    await link_teams(teams_container, REP)
    activity = teams.activity(REP, text="log note Northwind: sent twice by the connector")
    for _ in range(2):
        status, _ = await teams.post(activity)
        assert status in (200, 202)
    assert len(connector.activities) == 1
    assert len(await table(teams_container, ActivityRow)) == 1


async def test_installing_the_app_says_hello_and_keeps_the_chat(
    teams: TeamsUser, teams_container: Container, slack: LocalSlack, connector: LocalTeams
) -> None:
    await seed(teams_container, slack)
    await link_teams(teams_container, REP)
    added = teams.activity(REP, "conversationUpdate", membersAdded=[{"id": "28:crmbot-app"}])
    status, _ = await teams.post(added)
    assert status in (200, 202)
    (hello,) = connector.activities
    assert "without `/crm`" in texts(card_of(hello.json))
    (kept,) = await table(teams_container, TeamsConversationRow)
    assert kept.conversation_id == "a:personal-u0rep1"
    someone = teams.activity(REP, "conversationUpdate", membersAdded=[{"id": "29:other"}])
    await teams.post(someone)
    assert len(connector.activities) == 1  # only the bot's own arrival is greeted
