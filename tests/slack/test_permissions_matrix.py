"""Issue #10, permissions: every `/crm` command, button, form, shortcut, options load, the
App Home and the REST routes, for each role, through the real signed app.

For every person it asserts what they may see — a client's money only for its owner, the
owner's managers, finance and admins; none in a channel — and that what they may not do
is refused and changes nothing. ``LISTENERS`` is checked against what ``register_all``
registers, so a new button, form or shortcut fails here until the matrix covers it.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.api.app import build_api
from bot.bootstrap import Container
from bot.localslack import LocalSlack
from bot.slack import render, views, views_approvals, views_settings, views_shortcut, views_snooze
from domain import access
from domain.approvals.cards import APPROVE_COMMENT, APPROVE_SELECTED, SELECT
from domain.chat import replies
from domain.services.home_sections import HOME_LOG, HOME_MORE, HOME_NEW_TASK, HOME_SETTINGS
from domain.services.risk_alert_cards import RETENTION, SNOOZE_ALERT
from handlers import register_all
from handlers.shortcuts import LOG_MESSAGE, NEW_TASK
from storage.models import AuditRow
from tests.slack.chat_fixtures import rows
from tests.slack.conftest import SlackUser
from tests.slack.permissions_kit import (
    ADMIN,
    CHANNEL,
    MGR,
    NEWBIE,
    OWNER,
    PEER,
    ROLES,
    SEES_MONEY,
    TOKEN,
    Probe,
    Seen,
    elements,
    seed_world,
    settle,
)
from tests.slack.test_audit_completeness import changes, snapshot
from tests.slack.test_shortcut_log import submit

EVERYONE = frozenset(ROLES.values())
# who may use each button; None: it only opens a form or a page, and changes nothing
ACTIONS: dict[str, frozenset[str] | None] = {
    replies.UNDO: frozenset({OWNER}),
    replies.DONE: frozenset({OWNER}),
    replies.ACCEPT: frozenset({OWNER}),
    replies.PICK: frozenset({OWNER}),
    render.SHARE_ACTION: frozenset({OWNER}),
    replies.APPROVE: frozenset({MGR}),
    APPROVE_SELECTED: frozenset({MGR}),
    RETENTION: frozenset({OWNER}),
    SNOOZE_ALERT: frozenset({OWNER}),
    replies.FOLLOW_UP: None,
    replies.REJECT: None,  # the form is refused to non-approvers; checked below
    APPROVE_COMMENT: None,
    replies.SNOOZE: None,
    SELECT: None,
    HOME_MORE: None,
    HOME_LOG: None,
    HOME_NEW_TASK: None,
    HOME_SETTINGS: None,
}
# forms: whose form it is decides; "own" forms act as whoever submits them
FORMS = {
    views_approvals.DECIDE: frozenset({MGR}),
    views_snooze.SNOOZE_VIEW: frozenset({OWNER}),
    views.LOG: "own",
    views.TASK: "own",
    views_shortcut.LOG_MESSAGE: "own",
    views_settings.SETTINGS_VIEW: "own",
}
OTHERS = {
    ("command", "/crm"),
    ("options", views.CLIENT_ACTION),
    ("shortcut", LOG_MESSAGE),
    ("shortcut", NEW_TASK),
    ("event", "app_home_opened"),
}
COMMANDS = [
    "help", "", "log call C1: walked through the order", "log",
    "task C1: send the deck | tomorrow 10am", "task", "tasks", "health C1", "find Acme",
    "quotes", "link C1", "unlink", "digest", "settings",
]  # fmt: skip
REFUSED = "Only an admin can"


class _Registry:
    """Stands in for the Bolt app: records what ``register_all`` registers."""

    def __init__(self) -> None:
        self.seen: set[tuple[str, str]] = set()

    def __getattr__(self, kind: str) -> Any:
        def register(constraint: Any, *args: Any, **kwargs: Any) -> Any:
            if kind != "use":  # middleware, not a listener
                self.seen.add((kind, str(constraint)))
            return lambda listener: listener

        return register


def test_the_matrix_covers_every_registered_listener() -> None:
    registry = _Registry()
    register_all(registry)  # type: ignore[arg-type]
    walked = {("action", a) for a in ACTIONS} | {("view", v) for v in FORMS} | OTHERS
    assert registry.seen == walked


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    """SQLite only, to stay quick: the rules read users through the repository, whose
    PostgreSQL side the contract tests cover (without this fixture the matrix passes there
    too)."""
    return sqlite_url


@pytest.fixture
async def probe(user: SlackUser, slack: LocalSlack, app_container: Container) -> Probe:
    await seed_world(app_container, slack, user)
    return Probe(user, slack, app_container)


async def test_commands_for_every_role(probe: Probe, app_container: Container) -> None:
    for role, uid in ROLES.items():
        for text in COMMANDS:
            if text == "link C1":
                before = await snapshot(app_container)
            seen = await probe.command(uid, text)
            where = f"{role}: /crm {text}"
            assert seen.status == 200, where
            _money_rule(seen, uid, where)
            if text.startswith(("link", "unlink")) and uid != ADMIN:
                assert REFUSED in seen.text(), where
                assert "ask Admin" in seen.text(), where
            if text == "unlink" and uid != ADMIN:  # link and unlink refused: nothing changed
                assert _data(changes(before, await snapshot(app_container))) == {}, where
            if text == "health C1":
                assert seen.money() is (uid in SEES_MONEY), where
                assert (access.FIGURES_HIDDEN in seen.text()) is (uid not in SEES_MONEY), where
            if text == "link C1" and uid == ADMIN:
                assert "now tied to *Acme Rockets*" in seen.text()
            if text == "quotes":  # an approver sees what they decide on
                assert ("$23,456" in seen.text()) is (uid == MGR), where
    assert _newcomer_notes(probe, NEWBIE) == 1  # told once, on the first reply
    assert _newcomer_notes(probe, PEER) == 0
    await _no_money_leaked(probe)


async def test_buttons_and_forms_for_every_role(probe: Probe, app_container: Container) -> None:
    found = await _harvest(probe)
    assert set(found) == set(ACTIONS), "seed_world must show every button once"
    for action_id, rightful in ACTIONS.items():
        before = await snapshot(app_container)
        for role, uid in ROLES.items():
            if rightful is not None and uid in rightful:
                continue
            click = _click(probe, uid, found[action_id])
            seen = await probe.interact(uid, click, answer=action_id != SELECT)
            where = f"{role} pressed {action_id}"
            assert seen.status == 200, where
            _money_rule(seen, uid, where)
            if action_id in (replies.REJECT, APPROVE_COMMENT) and uid != MGR:
                assert not seen.views(), f"{where}: a decision form for a non-approver"
        # refused, or only a form or a page opened: nobody changed anything
        assert _data(changes(before, await snapshot(app_container))) == {}, action_id
    await _forms(probe, app_container, found)
    await _rightful_clicks(probe, app_container, found)
    await _no_money_leaked(probe)


async def test_shortcut_options_and_home_for_every_role(probe: Probe) -> None:
    for role, uid in ROLES.items():
        home = await probe.event(uid, {"type": "app_home_opened", "tab": "home"})
        _money_rule(home, uid, f"{role}: App Home")
        assert (access.newcomer_note([]).split(",")[0] in home.text()) is (uid == NEWBIE)
        shortcut = probe.click(uid, {"action_id": "x"})
        shortcut |= {"type": "message_action", "callback_id": LOG_MESSAGE}
        shortcut["message"] = {"type": "message", "user": PEER, "ts": "1.2", "text": "hi Acme"}
        opened = await probe.interact(uid, shortcut)
        assert opened.views(), role
        _money_rule(opened, uid, f"{role}: Log to CRM")
        new_task = probe.click(uid, {"action_id": "x"}) | {"type": "shortcut"}
        task = await probe.interact(uid, new_task | {"callback_id": NEW_TASK})
        assert task.views(), role
        options = await probe.user.post(_suggest(uid, "Acme"))
        assert "Acme Rockets" in str(options[1]) and "$" not in str(options[1]), role
    again = await probe.event(NEWBIE, {"type": "app_home_opened", "tab": "home"})
    assert "new to crmbot" not in again.text()  # told once
    await _no_money_leaked(probe)


async def test_rest_routes_answer_only_the_token(user: SlackUser, app_container: Container) -> None:
    routes = [
        (r.method, r.resource.canonical)
        for r in build_api(app_container).router.routes()
        if r.method != "HEAD" and r.resource is not None
    ]
    assert len(routes) >= 10
    before = await snapshot(app_container)
    for method, path in routes:
        url = f"{user.base}/api/v1{path}".replace("{external_id}", "C1")
        for headers in ({}, {"Authorization": "Bearer wrong"}):
            async with user.http.request(method, url, json={}, headers=headers) as r:
                expected = 200 if path.endswith("openapi.json") else 401
                assert r.status == expected, (method, path, headers)
    async with user.http.get(f"{user.base}/api/v1/clients?q=a", headers=TOKEN) as r:
        assert r.status == 200  # the token is the operator: an admin-equivalent surface
    assert _data(changes(before, await snapshot(app_container))) == {}


# --- the walk's parts -------------------------------------------------------------------


async def _harvest(probe: Probe) -> dict[str, dict[str, Any]]:
    """One live element of every button, from what the rightful people were shown."""
    shown: list[Seen] = [
        await probe.command(OWNER, "log call C1: talked. Send the price list by friday"),
        await probe.command(OWNER, "tasks"),
        await probe.command(OWNER, "health Acme"),  # two candidates: Pick buttons
        await probe.command(OWNER, "health C1"),
        await probe.command(MGR, "quotes"),
        await probe.event(OWNER, {"type": "app_home_opened", "tab": "home"}),
    ]
    found: dict[str, dict[str, Any]] = {}
    for element in elements([s.private for s in shown] + _dms(probe, OWNER, MGR)):
        found.setdefault(element["action_id"], element)
    # "Approve selected" sends the ticked boxes: tick Q2 (Q1 is for the Approve button)
    q2 = [o["value"] for o in found[SELECT]["options"] if "Q2" in str(o)]
    assert len(q2) == 1, found[SELECT]
    found[APPROVE_SELECTED] = {**found[APPROVE_SELECTED], "ticked": q2}
    return found


async def _forms(probe: Probe, container: Container, found: dict[str, dict[str, Any]]) -> None:
    """A form opened by its rightful user, submitted by everyone else."""
    decide = await probe.interact(MGR, _click(probe, MGR, found[replies.REJECT]))
    snooze = await probe.interact(OWNER, _click(probe, OWNER, found[replies.SNOOZE]))
    opened = {
        views_approvals.DECIDE: (decide.views()[0]["view"], {views_approvals.NOTE: "too low"}),
        views_snooze.SNOOZE_VIEW: (snooze.views()[0]["view"], {}),
    }
    for text in ("log", "task", "settings"):
        view = (await probe.command(OWNER, text)).views()[0]["view"]
        opened[view["callback_id"]] = (view, {})
    for callback, (view, values) in opened.items():
        rightful = FORMS[callback]
        before = await snapshot(container)
        for role, uid in ROLES.items():
            if rightful != "own" and uid in rightful:
                continue
            logged = len(await _audit(container))
            payload = submit(view, **values) | {"user": {"id": uid}}
            seen = await probe.interact(uid, payload)
            _money_rule(seen, uid, f"{role} submitted {callback}")
            added = (await _audit(container))[logged:]
            if rightful == "own":  # whatever it did, it did as the one who submitted
                assert {a for a, _ in added} <= {uid}, (role, callback, added)
            else:
                told = seen.private or (seen.body or {}).get("response_action") == "errors"
                assert told, (role, callback, seen)  # refused in the form, or beside it
        if rightful != "own":  # everyone else was refused: nothing changed
            assert _data(changes(before, await snapshot(container))) == {}, callback


async def _rightful_clicks(probe: Probe, container: Container, found: dict[str, Any]) -> None:
    """The same buttons work for the people they are for: the refusals were not luck."""
    for action_id, uid in (
        (replies.UNDO, OWNER), (replies.DONE, OWNER), (replies.ACCEPT, OWNER),
        (APPROVE_SELECTED, MGR), (replies.APPROVE, MGR), (RETENTION, OWNER),
    ):  # fmt: skip
        before = await snapshot(container)
        await probe.interact(uid, _click(probe, uid, found[action_id]))
        assert _data(changes(before, await snapshot(container))), action_id
    shared = await probe.interact(OWNER, _click(probe, OWNER, found[render.SHARE_ACTION]))
    [post] = shared.public
    assert post["channel"] == CHANNEL and "Acme Rockets" in str(post)
    assert "$" not in str(post["blocks"]) and access.SHARED_WITHOUT_FIGURES in str(post)
    picked = await probe.interact(OWNER, _click(probe, OWNER, found[replies.PICK]))
    assert picked.money()


def _click(probe: Probe, uid: str, element: dict[str, Any]) -> dict[str, Any]:
    payload = probe.click(uid, element)
    if element["action_id"] == APPROVE_SELECTED:
        chosen = {"selected_options": [{"value": v} for v in element["ticked"]]}
        payload["state"] = {"values": {"b": {SELECT: chosen}}}
    if element["action_id"] in (RETENTION, SNOOZE_ALERT):
        payload["message"] = {"ts": "1.0", "blocks": []}
    return payload


def _suggest(uid: str, text: str) -> str:
    from bot.localslack import interaction_body

    return interaction_body(
        {
            "type": "block_suggestion", "user": {"id": uid}, "team": {"id": "T0001"},
            "api_app_id": "A0001", "action_id": views.CLIENT_ACTION, "block_id": "client",
            "value": text, "view": {"id": "V1", "type": "modal", "callback_id": views.LOG},
        }
    )  # fmt: skip


def _money_rule(seen: Seen, uid: str, where: str) -> None:
    if uid not in SEES_MONEY:
        assert not seen.money(), f"{where} showed money: {seen.text()[:500]}"
    assert not any("$" in str(p.get("blocks")) for p in seen.public), f"{where} leaked"


def _dms(probe: Probe, *uids: str) -> list[dict[str, Any]]:
    chans = {probe.slack._dm(u) for u in uids} | set(uids)
    return [c.args for c in probe.slack.calls if c.args.get("channel") in chans]


async def _no_money_leaked(probe: Probe) -> None:
    """Nothing crmbot sent to someone without figures, or to a channel, had any."""
    await settle(probe.container)  # what is still queued goes out first
    for uid in EVERYONE - SEES_MONEY:
        mine_at = {probe.slack._dm(uid), uid}
        for call in probe.slack.calls:
            args = call.args
            mine = args.get("channel") in mine_at or uid in (args.get("user"), args.get("user_id"))
            assert not (mine and "$" in str(args)), (uid, call.method, str(args)[:300])
    for call in probe.slack.calls:
        if str(call.args.get("channel") or "").startswith("C"):
            assert "$" not in str(call.args.get("blocks")), call.method


def _newcomer_notes(probe: Probe, uid: str) -> int:
    head = access.newcomer_note([]).split(",")[0]
    return sum(head in seen.text() for seen in probe.seen_by[uid])


async def _audit(container: Container) -> list[tuple[str, str]]:
    return [(r.actor, r.action) for r in await rows(container, AuditRow)]


def _data(found: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    """Changes to CRM data, less the users table (Slack profile refreshes touch it)."""
    return {t: c for t, c in found.items() if t != "users"}
