"""Issue #10, audit: every mutating path, through its real surface, writes its audit rows.

One walk per backend drives each path once — signed slash commands, modal submissions,
button clicks and shortcuts into the real app, the REST ``PUT`` routes with the bearer
token, ``crmbot import`` of each kind (``bot.cli.main`` in a thread), and the scheduled
jobs — and, around each step, compares every CRM data table before and after with the
audit rows the step added. A step that changed data must have added audit rows naming an
actor, a surface, an entity type and id; where rows were updated (not only inserted) the
details must say what they were before (``before``/``after``, or the changed fields).
Refused and repeated actions must change no data. Finally ``crmbot audit`` prints them.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.bootstrap import Container
from bot.cli import main as cli_main
from bot.localslack import LocalSlack, Message
from domain.approvals.cards import APPROVE_SELECTED, SELECT
from domain.chat.replies import APPROVE, REJECT
from schedulers.jobs import run_job
from storage.base import Base
from storage.models import AuditRow
from tests.conftest import FixedClock
from tests.integration.alerts_fixtures import keep_scores, record
from tests.slack.approvals_kit import BIGBOSS, MGR, deliver, posts_to, press, put_quote, quote_body
from tests.slack.approvals_kit import seed_team as seed_approvers
from tests.slack.chat_fixtures import OTHER, REP, button, click, reply, seed, text_of
from tests.slack.conftest import SlackUser
from tests.slack.test_shortcut_log import message_action
from tests.slack.test_shortcut_log import submit as submit_shortcut

CSV = Path(__file__).resolve().parents[1] / "data" / "csv"
HEADERS = {"Authorization": "Bearer test-api-token"}
# bookkeeping, not CRM data: the audit itself, the outbox, request ids, button tokens,
# job marks, digest/alert claims and quotas, derived scores, message ids of requests
NOT_DATA = {
    "audit_log", "job_marks", "outbox", "pending_actions", "processed_requests",
    "webhook_attempts", "digest_runs", "risk_alert_quota", "risk_alert_state",
    "client_scores", "approval_requests",
}  # fmt: skip
# a cache of what Slack says about a user, refreshed on reading, not a change anyone made
CACHE_COLUMNS = {"users": {"slack_timezone", "slack_checked_at", "slack_team_id"}}
SURFACES = {"slash", "shortcut", "modal", "button", "api", "import", "cli", "scheduler"}

Snapshot = dict[str, dict[tuple[Any, ...], tuple[Any, ...]]]


async def snapshot(container: Container) -> Snapshot:
    found: Snapshot = {}
    async with container.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name in NOT_DATA:
                continue
            skip = CACHE_COLUMNS.get(table.name, set())
            keys = [c.name for c in table.primary_key.columns]
            cols = [c.name for c in table.columns if c.name not in skip]
            rows = (await conn.execute(select(table))).mappings()
            found[table.name] = {
                tuple(r[k] for k in keys): tuple(str(r[c]) for c in cols) for r in rows
            }
    return found


def changes(before: Snapshot, after: Snapshot) -> dict[str, dict[str, int]]:
    """Per table: rows inserted, updated, deleted."""
    out: dict[str, dict[str, int]] = {}
    for table, rows in after.items():
        old = before.get(table, {})
        counts = {
            "inserted": len(rows.keys() - old.keys()),
            "deleted": len(old.keys() - rows.keys()),
            "updated": sum(1 for k in rows.keys() & old.keys() if rows[k] != old[k]),
        }
        if any(counts.values()):
            out[table] = counts
    return out


async def audit_rows(container: Container, after_id: int = 0) -> list[Any]:
    async with container.engine.connect() as conn:
        query = select(AuditRow.__table__).where(AuditRow.id > after_id).order_by(AuditRow.id)
        return list(await conn.execute(query))


@dataclass
class Walk:
    """Runs each step, settles, and keeps what every step changed and audited."""

    container: Container
    gaps: list[str] = field(default_factory=list)
    seen: dict[str, tuple[dict[str, dict[str, int]], list[Any]]] = field(default_factory=dict)

    async def step(
        self,
        name: str,
        action: Callable[[], Awaitable[Any]],
        *,
        surface: str | None = None,
        changes_data: bool = True,
        per_file: bool = False,
    ) -> Any:
        before = await snapshot(self.container)
        last = max((r.id for r in await audit_rows(self.container)), default=0)
        result = await action()
        await self.settle()
        changed = changes(before, await snapshot(self.container))
        added = await audit_rows(self.container, last)
        self.seen[name] = (changed, added)
        self.check(name, changed, added, surface=surface, changes_data=changes_data,
                   per_file=per_file)  # fmt: skip
        return result

    def check(
        self,
        name: str,
        changed: dict[str, dict[str, int]],
        added: list[Any],
        *,
        surface: str | None,
        changes_data: bool,
        per_file: bool = False,
    ) -> None:
        if not changes_data:
            if changed:
                self.gaps.append(f"{name}: refused/no-op yet changed {changed}")
            return
        if not changed:
            self.gaps.append(f"{name}: expected a change, none seen")
            return
        if not added:
            self.gaps.append(f"{name}: changed {changed} with no audit row")
            return
        for row in added:
            if not (row.actor and row.surface in SURFACES and row.entity_type and row.entity_id):
                self.gaps.append(f"{name}: incomplete audit row {row.action} {dict(row._mapping)}")
        if surface and not any(r.surface == surface for r in added):
            self.gaps.append(f"{name}: no audit row from {surface}: {[r.surface for r in added]}")
        updated = sum(c["updated"] + c["deleted"] for c in changed.values())
        if per_file:  # a bulk import: one row for the file, counting what it updated
            if not any(r.details.get("updated", 0) >= updated for r in added):
                self.gaps.append(f"{name}: updated {changed}, not counted in the import's row")
            return
        if updated and not any(_says_before(r.details) for r in added):
            self.gaps.append(
                f"{name}: updated {changed} but no before/after in "
                f"{[(r.action, sorted(r.details)) for r in added]}"
            )

    async def settle(self) -> None:
        """Until the app's listeners (run after the ack) and its outbox drain are done."""
        previous = None
        for _ in range(60):
            if self.container._delivery is not None:
                await asyncio.wait({self.container._delivery}, timeout=10)
            now = (await snapshot(self.container), len(await audit_rows(self.container)))
            if now == previous:
                return
            previous = now
            await asyncio.sleep(0.08)


def _says_before(details: dict[str, Any]) -> bool:
    keys = set(details)
    return bool(keys & {"before", "changes", "changed", "fields", "previous"}) or any(
        k.startswith("before") or k.endswith("_before") for k in keys
    )


def _submission(view: dict[str, Any], user: str, values: dict[str, Any]) -> dict[str, Any]:
    state = {block: {block: element} for block, element in values.items()}
    return {
        "type": "view_submission",
        "team": {"id": "T0001"},
        "user": {"id": user},
        "api_app_id": "A0001",
        "trigger_id": f"{uuid.uuid4().hex}.sub",
        "view": {**view, "id": "V1", "state": {"values": state}},
    }


async def _opened(slack: LocalSlack, count: int) -> dict[str, Any]:
    return dict((await slack.wait_for("views.open", count))[count - 1].args["view"])


async def _put(user: SlackUser, path: str, body: dict[str, Any]) -> int:
    async with user.http.put(f"{user.base}/api/v1/{path}", json=body, headers=HEADERS) as r:
        assert r.status in (200, 201), await r.text()
        return r.status


def _cli(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli_main(argv)
    return code, out.getvalue()


async def _alerts(container: Container, slack: LocalSlack, clients: list[str]) -> None:
    async with container.uow() as uow:
        ids = await uow.clients.ids_for(clients)
    today: date = container.clock().date()
    await keep_scores(container, today, [record(ids[x], x, today, risk=80) for x in clients])


def _alert_click(slack: LocalSlack, alert: dict[str, Any], label: str, url: str) -> dict[str, Any]:
    payload = click(REP, button(alert, label), response_url=slack.response_url(url), channel="D1")
    payload["message"] = {"ts": "1.0", "blocks": alert["blocks"]}
    return payload


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, app_container: Container) -> None:
    settings = app_container.settings
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "test-signing-secret")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")
    monkeypatch.setenv("CRMBOT_API_TOKEN", "test-api-token")
    monkeypatch.setenv("CRMBOT_DEFAULT_TZ", "UTC")
    monkeypatch.setenv("SLACK_API_URL", settings.slack_api_url)


async def test_every_mutating_path_writes_its_audit_rows(
    user: SlackUser,
    slack: LocalSlack,
    app_container: Container,
    clock: FixedClock,
    cli_env: None,
    tmp_path: Path,
) -> None:
    container = app_container
    await seed_approvers(container, slack)
    await seed(container, slack)  # REP owns C1..C5; MGR (U0MGR1) is REP's manager
    walk = Walk(container)
    step = walk.step

    async def answered(send: Awaitable[Any]) -> dict[str, Any]:
        count = len(slack.calls_to("response_url")) + 1
        await send
        return await reply(slack, count)

    async def said(text: str, **kwargs: Any) -> dict[str, Any]:
        return await answered(user.command(text, **kwargs))

    async def clicked(payload: dict[str, Any]) -> dict[str, Any]:
        return await answered(user.interact(payload))

    async def opens(text: str, **kwargs: Any) -> dict[str, Any]:
        return await opened(user.command(text, **kwargs))

    async def opened(send: Awaitable[Any]) -> dict[str, Any]:
        count = len(slack.calls_to("views.open")) + 1
        await send
        return await _opened(slack, count)

    # --- slash ------------------------------------------------------------------------
    logged = await step("/crm log", lambda: said("log call C5: talked pricing"), surface="slash")
    undo = button(logged, "Undo")
    await step(
        "Undo by someone else",
        lambda: clicked(click(OTHER, undo, response_url=slack.response_url("u0"))),
        changes_data=False,
    )
    await step(
        "Undo", lambda: clicked(click(REP, undo, response_url=slack.response_url("u1"))),
        surface="button",
    )  # fmt: skip
    await step(
        "Undo again",
        lambda: clicked(click(REP, undo, response_url=slack.response_url("u2"))),
        changes_data=False,
    )
    await step(
        "/crm task", lambda: said("task C5: send the catalogue | tomorrow 10am"), surface="slash"
    )
    admin = {"channel": "C0NW", "user": BIGBOSS}  # linking is admin-only (domain.access)
    await step("/crm link by a rep", lambda: said("link C3", channel="C0NW"), changes_data=False)
    await step("/crm link", lambda: said("link Northwind Supply Co", **admin), surface="slash")
    await step("/crm unlink", lambda: said("unlink", **admin), surface="slash")
    await step("/crm unlink again", lambda: said("unlink", **admin), changes_data=False)
    await step("/crm log, bad date", lambda: said("log call C5: hi | never"), changes_data=False)

    # --- modals ------------------------------------------------------------------------
    view = await opens("log")
    log_values = {
        "client": {"type": "external_select", "selected_option": {"value": "C3"}},
        "type": {"type": "static_select", "selected_option": {"value": "meeting"}},
        "notes": {"type": "plain_text_input", "value": "site visit"},
        "date": {"type": "datepicker", "selected_date": "2026-11-24"},
        "time": {"type": "timepicker", "selected_time": "14:30"},
    }
    await step(
        "log modal", lambda: user.interact(_submission(view, REP, log_values)), surface="modal"
    )
    view = await opens("task")
    task_values = {
        "assignee": {"type": "users_select", "selected_user": REP},
        "title": {"type": "plain_text_input", "value": "Send the revised quote"},
        "due_date": {"type": "datepicker", "selected_date": "2026-11-30"},
        "due_time": {"type": "timepicker", "selected_time": "09:00"},
    }
    await step(
        "task modal", lambda: user.interact(_submission(view, REP, task_values)), surface="modal"
    )

    # --- Done and Snooze on the task list -----------------------------------------------
    listing = await said("tasks")
    done = button(listing, "Done")
    await step(
        "Done", lambda: clicked(click(REP, done, response_url=slack.response_url("d1"))),
        surface="button",
    )  # fmt: skip
    await step(
        "Done again",
        lambda: clicked(click(REP, done, response_url=slack.response_url("d2"))),
        changes_data=False,
    )
    listing = await said("tasks")
    snooze = button(listing, "Snooze")
    view = await opened(user.interact(click(REP, snooze, response_url=slack.response_url("z1"))))
    chosen = {"choice": {"type": "radio_buttons", "selected_option": {"value": "tomorrow"}}}
    await step(
        "Snooze", lambda: user.interact(_submission(view, REP, chosen)), surface="modal"
    )  # fmt: skip

    # --- settings ----------------------------------------------------------------------
    view = await opens("settings")
    settings_values = {
        "digest_hour": {"type": "static_select", "selected_option": {"value": "7"}},
        "digest_days": {"type": "checkboxes", "selected_options": [{"value": "mon"}]},
        "alerts": {
            "type": "checkboxes",
            "selected_options": [{"value": a} for a in ("reminders", "risk")],
        },
        "quiet_start": {"type": "timepicker", "selected_time": None},
        "quiet_end": {"type": "timepicker", "selected_time": None},
    }
    await step(
        "settings modal",
        lambda: user.interact(_submission(view, REP, settings_values)),
        surface="modal",
    )

    # --- message shortcut --------------------------------------------------------------
    view = await opened(user.interact(message_action(slack, "Called them about the Q1 order")))
    await step(
        "message shortcut log",
        lambda: user.interact(submit_shortcut(view, client="C3")),
        surface="shortcut",
    )

    # --- approvals ---------------------------------------------------------------------
    await step(
        "PUT quote (needs approval)",
        lambda: put_quote(user, "Q-1", quote_body("12000")),
        surface="api",
    )
    await step("PUT quote unchanged", lambda: put_quote(user, "Q-1", quote_body("12000")),
               changes_data=False)  # fmt: skip
    for key in ("Q-2", "Q-3", "Q-4"):
        await put_quote(user, key, quote_body("12000"))
    await deliver(container, clock)
    requests = posts_to(slack, MGR)
    by_quote = {k: next(m for m in requests if k in str(m.blocks)) for k in ("Q-1", "Q-2")}
    await step(
        "Approve by an outsider",
        lambda: press(user, OTHER, by_quote["Q-1"], APPROVE),
        changes_data=False,
    )
    await step("Approve", lambda: press(user, MGR, by_quote["Q-1"], APPROVE), surface="button")
    await step(
        "Approve again", lambda: press(user, MGR, by_quote["Q-1"], APPROVE), changes_data=False
    )
    view = await opened(press(user, MGR, by_quote["Q-2"], REJECT))
    note = {"note": {"type": "plain_text_input", "value": "Margin too thin"}}
    await step("Reject (modal)", lambda: user.interact(_submission(view, MGR, note)),
               surface="modal")  # fmt: skip
    listing = await said("quotes", user=MGR)
    boxes = next(
        b for b in listing["blocks"] if (b.get("accessory") or {}).get("type") == "checkboxes"
    )
    ticked = boxes["accessory"]["options"]
    bulk = Message("response_url", "C0GENERAL", "1.1", "", listing["blocks"])
    state = {"bulk": {SELECT: {"type": "checkboxes", "selected_options": ticked}}}
    await step(
        "/crm quotes bulk approve",
        lambda: press(user, MGR, bulk, APPROVE_SELECTED, state=state),
        surface="button",
    )

    # --- risk alerts (the job, then its buttons) -----------------------------------------
    await _alerts(container, slack, ["C3", "C1"])
    await step(
        "job risk-alerts",
        lambda: run_job(container, "risk-alerts", now=clock.now),
        surface="scheduler",
    )
    await deliver(container, clock)
    alerts = [
        c.args for c in slack.calls_to("chat.postMessage") if "Create retention task" in str(c.args)
    ]
    assert len(alerts) == 2, [text_of(a) for a in alerts]
    await step(
        "risk alert: retention task",
        lambda: clicked(_alert_click(slack, alerts[0], "Create retention task", "r1")),
        surface="button",
    )
    await step(
        "risk alert: snooze 7 days",
        lambda: clicked(_alert_click(slack, alerts[1], "Snooze 7 days", "r2")),
        surface="button",
    )

    # --- REST --------------------------------------------------------------------------
    client = {"name": "Zephyr Outfitters", "owner_slack_user_id": REP, "credit_limit": "1000"}
    await step("PUT client", lambda: _put(user, "clients/C-API", client), surface="api")
    await step(
        "PUT client changed",
        lambda: _put(user, "clients/C-API", {**client, "credit_limit": "2000"}),
        surface="api",
    )
    (updated,) = walk.seen["PUT client changed"][1]
    assert updated.details["changes"] == {"credit_limit": {"before": "1000.00", "after": "2000.00"}}
    await step("PUT client same", lambda: _put(user, "clients/C-API", {**client,
               "credit_limit": "2000"}), changes_data=False)  # fmt: skip
    order = {"client_external_id": "C-API", "ordered_at": "2026-11-01T00:00:00Z", "amount": "900"}
    await step("PUT order", lambda: _put(user, "orders/O-API", order), surface="api")
    invoice = {
        "client_external_id": "C-API", "order_external_id": "O-API", "amount": "900",
        "issued_at": "2026-11-01T00:00:00Z", "due_at": "2026-12-01T00:00:00Z",
    }  # fmt: skip
    await step("PUT invoice", lambda: _put(user, "invoices/I-API", invoice), surface="api")
    payment = {"invoice_external_id": "I-API", "paid_at": "2026-11-20T00:00:00Z", "amount": "400"}
    await step("PUT payment", lambda: _put(user, "payments/P-API", payment), surface="api")
    await step(
        "PUT payment changed",
        lambda: _put(user, "payments/P-API", {**payment, "amount": "500"}),
        surface="api",
    )

    # --- crmbot import, each kind --------------------------------------------------------
    for kind in ("users", "clients", "orders", "invoices", "payments", "quotes"):
        argv = ["import", kind, str(CSV / f"{kind}.csv")]
        code, _ = await step(f"import {kind}", lambda a=argv: asyncio.to_thread(_cli, a))
        assert code == 0
    argv = ["import", "clients", str(CSV / "clients.csv")]
    await step("import clients again", lambda: asyncio.to_thread(_cli, argv), changes_data=False)
    # an import is audited per row it changed (the fields before and after), written in
    # bulk, and once per file with its counts
    renamed = tmp_path / "clients.csv"
    renamed.write_text(
        (CSV / "clients.csv").read_text(encoding="utf-8-sig").replace("Borealis Foods", "Boreal"),
        encoding="utf-8",
    )
    argv = ["import", "clients", str(renamed)]
    await step("import clients changed", lambda: asyncio.to_thread(_cli, argv), surface="cli")
    row, entry = walk.seen["import clients changed"][1]
    assert entry.actor and (entry.surface, entry.entity_type) == ("cli", "clients")
    assert (entry.details["updated"], entry.details["unchanged"]) == (1, 2)
    assert (row.actor, row.surface, row.action, row.entity_id) == (
        entry.actor, "cli", "client.updated", "C-1002"
    )  # fmt: skip
    assert row.details["changes"] == {"name": {"before": "Borealis Foods", "after": "Boreal"}}

    # --- jobs --------------------------------------------------------------------------
    due = datetime(2026, 11, 26, 18, 0, tzinfo=clock.now.tzinfo)
    await step("job reminders", lambda: run_job(container, "reminders", now=due))
    await step("job digest", lambda: run_job(container, "digest", now=due), changes_data=False)
    await step("job auto-tasks", lambda: run_job(container, "auto-tasks", now=due))
    late = datetime(2027, 1, 2, 12, 0, tzinfo=clock.now.tzinfo)
    await step(
        "job quote-expiry", lambda: run_job(container, "quote-expiry", now=late),
        surface="scheduler",
    )  # fmt: skip
    await step("job scores", lambda: run_job(container, "scores", now=due), changes_data=False)

    for name, (changed, added) in walk.seen.items():
        print(f"{name:32} {changed} {[(r.action, r.surface) for r in added]}")
    print("\n".join(walk.gaps))
    assert walk.gaps == []

    # --- crmbot audit prints them --------------------------------------------------------
    code, out = await asyncio.to_thread(_cli, ["audit", "--client", "C5"])
    lines = out.splitlines()
    assert code == 0 and any("\tslash\tactivity." in line for line in lines), out
    everything = await audit_rows(container)
    code, out = await asyncio.to_thread(_cli, ["audit", "--since", "2000-01-01"])
    assert code == 0 and len(out.splitlines()) == len(everything)
    assert {r.surface for r in everything} >= {"slash", "modal", "button", "shortcut", "api"}
    assert not slack.violations
