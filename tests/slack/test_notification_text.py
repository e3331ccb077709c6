"""Issue #10: a card's ``summary`` — the ``text`` Slack shows in notifications and reads
to screen readers — is plain: no mrkdwn markers or emoji codes, no ``<@U…>`` or other
Slack markup, nothing escaped (the renderer escapes it once; an escaped summary would
read ``&amp;``). A walk through the app's replies, DMs and scheduled messages records
the summary of every card rendered for Slack, with hostile names and titles about."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import aiohttp
import pytest

from bot.bootstrap import Container, build
from bot.localslack import LocalSlack
from bot.slack import render
from domain.cards import Card
from domain.chat.replies import APPROVE
from domain.notification import notification_text
from schedulers.jobs import run_job
from tests.conftest import FixedClock, make_settings
from tests.integration.alerts_fixtures import keep_scores, record
from tests.slack.approvals_kit import (
    MGR,
    deliver,
    posts_to,
    press,
    put_quote,
    quote_body,
    seed_team,
)
from tests.slack.chat_fixtures import OTHER, REP, button, click, reply, seed
from tests.slack.conftest import SlackUser, start_app

# what users typed may hold anything: it is shown as typed, so it is not checked
TYPED = ("<!channel> & Co", "Acme <Industrial> & Co", "*there* & <b>", "<!here> & *co*")
MARKUP = re.compile(
    r"&(amp|lt|gt);"  # escaped: would show escaped twice
    r"|<[@#!]|<https?:"  # Slack's own markup
    r"|(?<!\S):[a-z0-9_+\-]+:(?!\S)"  # an emoji code
    r"|[*`]|(?<!\w)_\w|\w_(?!\w)"  # bold, code, italic markers
    r"|\b[UW]0[A-Z0-9]{3,}\b"  # a user id where a name (or nothing) belongs
)


@pytest.fixture
async def recorded(
    sqlite_url: str, clock: FixedClock, slack: LocalSlack, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[Container, SlackUser, list[str]]]:
    summaries: list[str] = []
    real = render.message

    def message(card: Card, **extra: Any) -> dict[str, Any]:
        summaries.append(card.summary)
        return real(card, **extra)

    monkeypatch.setattr(render, "message", message)  # before build: bootstrap binds it
    container = build(make_settings(sqlite_url, SLACK_API_URL=slack.api_url), clock=clock)
    runner, base = await start_app(container)
    try:
        async with aiohttp.ClientSession() as http:
            yield container, SlackUser(http, base, slack), summaries
    finally:
        await runner.cleanup()
        await container.close()


def offending(summary: str) -> list[str]:
    text = summary
    for typed in TYPED:
        text = text.replace(typed, "")
    return [m.group(0) for m in MARKUP.finditer(text)]


async def test_every_summary_the_app_sends_is_plain_text(
    recorded: tuple[Container, SlackUser, list[str]], slack: LocalSlack, clock: FixedClock
) -> None:
    container, user, summaries = recorded
    await seed_team(container, slack)
    await seed(container, slack)

    async def said(text: str, **kwargs: Any) -> dict[str, Any]:
        count = len(slack.calls_to("response_url")) + 1
        _, acked = await user.command(text, **kwargs)
        return acked if isinstance(acked, dict) else await reply(slack, count)

    async def clicked(who: str, pressed: dict[str, Any]) -> dict[str, Any]:
        count = len(slack.calls_to("response_url")) + 1
        await user.interact(click(who, pressed, response_url=slack.response_url(f"r{count}")))
        return await reply(slack, count)

    await said("help")
    logged = await said("log call C4: hi *there* & <b>")
    await clicked(REP, button(logged, "Undo"))
    await said("log call C4: when? | never")
    await said("log call Nowhere Known: x")
    await said("log call acme: which one?")
    await said("task C4: call <!here> & *co* | tomorrow 10am")
    await said(f"task <@{OTHER}> C4: for <!here> & *co* | tomorrow 11am")
    listing = await said("tasks")
    done = button(listing, "Done")
    await clicked(OTHER, done)
    await clicked(REP, done)
    await clicked(REP, done)
    for text in ("health C4", "find Co", "link C4", "unlink", "quotes", "digest", "bogus"):
        await said(text)
    await put_quote(user, "Q-1", quote_body("25000", discount="15"))
    await put_quote(user, "Q-2", quote_body("12000", client="C4"))
    await put_quote(user, "Q-3", quote_body("100"))
    await deliver(container, clock)
    first, second = posts_to(slack, MGR)[:2]
    await press(user, MGR, first, APPROVE)
    await press(user, MGR, first, APPROVE)  # already decided
    await press(user, REP, second, APPROVE)  # not theirs to decide
    await deliver(container, clock)
    today = clock.now.date()
    async with container.uow() as uow:
        ids = await uow.clients.ids_for(["C4", "C5"])
    await keep_scores(container, today, [record(ids[c], c, today, risk=80) for c in ids])
    await run_job(container, "risk-alerts", now=clock.now)
    await deliver(container, clock)
    alerts = [c.args for c in slack.calls_to("chat.postMessage") if "retention" in str(c.args)]
    assert len(alerts) == 2
    for alert, label in zip(alerts, ("Create retention task", "Snooze 7 days"), strict=True):
        count = len(slack.calls_to("response_url")) + 1
        pressed = click(REP, button(alert, label), response_url=slack.response_url(label))
        await user.interact({**pressed, "message": {"ts": "1.0", "blocks": alert["blocks"]}})
        await reply(slack, count)
    clock.now += timedelta(days=2)
    for job in ("reminders", "digest", "quote-expiry", "outbox"):
        await run_job(container, job, now=clock.now)
    await deliver(container, clock)

    assert len(summaries) >= 35, summaries
    assert any("Co" in s for s in summaries)
    bad = {s: offending(s) for s in summaries if offending(s)}
    assert not bad, bad


def test_notification_text_reads_mrkdwn_as_a_person_would() -> None:
    cases = {
        ":warning: Already done: *Call &lt;Acme&gt; &amp; Co*": "Already done: Call <Acme> & Co",
        "<@U0MGR1> approved it at 10:30, _today_": "someone approved it at 10:30, today",
        "<@U0MGR1|mo> said `/crm tasks`": "@mo said /crm tasks",
        "See <https://x.io|the deck> in <#C1|sales>": "See the deck (https://x.io) in #sales",
        "&gt; quoted\nsnake_case and 2*3*4": "quoted snake_case and 2*3*4",
        "Only <@U1>, <@U2> can decide *Q-1*": "Only someone can decide Q-1",
    }
    for mrkdwn, plain in cases.items():
        assert notification_text(mrkdwn) == plain
