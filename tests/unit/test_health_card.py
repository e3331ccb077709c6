"""The health card: content, money hidden, escaping, and Block Kit limits once rendered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from bot.localslack_limits import check_message
from bot.slack.render import SHARE_ACTION, message
from domain.cards import Card, Header, Note, Text
from domain.model import Activity, ActivityType, Client, Quote, Surface, Task
from domain.ports_chat import ClientSnapshot, InvoiceLine, OrderLine
from domain.services.health import HealthSnapshot, health_card

NOW = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)
TZ = "America/Los_Angeles"
HOSTILE = "<!channel> & Co <@U123>"
D = Decimal


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def client(name: str = "Acme Corp", **extra: Any) -> Client:
    return Client(external_id="ACME-1", name=name, owner_slack_user_id="U1", id=7, **extra)


def rich(name: str = "Acme Corp", notes: str = "Talked about the spring order.") -> HealthSnapshot:
    orders = [OrderLine(ago(d), D(a)) for d, a in ((230, 5000), (185, "5000.50"), (140, 2000))]
    invoices = [
        InvoiceLine(ago(100), ago(70), D(12_400), D(0)),
        InvoiceLine(ago(40), ago(10), D(1000), D(400), ago(5)),
        InvoiceLine(ago(5), ago(-25), D(800), D(0)),
    ]
    activity = Activity(7, ActivityType.CALL, notes, ago(75.5), "U2", Surface.SLASH, id=3)
    tasks = [Task(f"Follow up #{i} <@U999>", "U2", ago(1 - i), client_id=7, id=i) for i in range(7)]
    quotes = [
        Quote(f"Q-{i}", "ACME-1", "U3", D("12000"), D("5.00"), valid_until=ago(-30 + i))
        for i in range(6)
    ]
    quotes[0].description = "Spring <b>restock</b> & more"
    return HealthSnapshot(
        client=client(name, acquisition_cost=D(500)),
        owner_name="Dana <Admin>",
        orders=orders,
        invoices=invoices,
        last_activity=activity,
        open_tasks=tasks,
        pending_quotes=quotes,
        open_task_count=12,
        pending_quote_count=6,
        names={"U1": "Dana <Admin>", "U2": "Lee", "U3": "Sam & Max"},
    )


def mrkdwn_texts(card: Card) -> list[str]:
    """Every mrkdwn string of the rendered message, and its notification text."""
    payload = message(card)
    found = [payload["text"]]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(payload["blocks"])
    return found


def assert_within_limits(card: Card) -> dict[str, Any]:
    payload = message(card)
    assert check_message(payload) == []
    assert len(payload["blocks"]) <= 20  # far under Slack's 50
    for block in payload["blocks"]:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= 1500
    return payload


def body(card: Card) -> str:
    return "\n".join(
        b.text + "\n" + "\n".join(b.fields) if isinstance(b, Text) else getattr(b, "text", "")
        for b in card.blocks
    )


def test_rich_card_shows_everything_with_money() -> None:
    card = health_card(rich(), now=NOW, tz=TZ, show_money=True)
    assert card.shareable
    assert card.blocks[0] == Header("Acme Corp")
    assert card.summary == "Acme Corp: health 21/100, high risk"
    text = body(card)
    assert "Owner *Dana &lt;Admin&gt;* · Silver tier · At risk · ID ACME-1" in text
    # provisional §6 scores (no kept ones yet): health and risk with the risks behind them
    assert ":red_circle: *Health 21/100* · risk 79 (high)" in text
    assert "churn 84 · payment 76 · profitability 0" in text
    assert "• No order for 140 days — 3.1× the usual 45-day gap" in text
    assert "• $13,000 overdue, the oldest 70 days past due" in text
    assert "No contact for 75 days" not in text  # only the top three factors
    assert "*Lifetime value*\n$11,501 · rising\n3 orders over 8 months, avg $4,000" in text
    assert "*Order rhythm*\nUsually orders every ~45 days; 140 days since the last" in text
    assert "*Next order*\nOverdue (3.1× the usual gap); not expected within the next 365" in text
    assert "*Next 365 days*\n16% chance of an order; ~0.5 orders, $2,139" in text
    assert "*Revenue, 12 months*\n`▁▁▁▁██▁▄▁▁▁▁` falling (-100% on the previous 90 days)" in text
    assert "*Last contact:* Call, 75 days ago by Lee: “Talked about the spring order.”" in text
    assert "*Receivables:* $13,800 open · 3 open invoices, 2 overdue (oldest 70 days" in text
    for field in ("*Not yet due*\n$800", "*0–30 days*\n$600", "*61–90 days*\n$12,400"):
        assert field in text
    assert "*Open tasks (12)*" in text and "… and 7 more" in text
    assert "• :warning: Follow up #0 &lt;@U999&gt; — due Tue 24 Nov, 09:00 PST · Lee" in text
    assert "• Follow up #2 &lt;@U999&gt; — due Thu 26 Nov, 09:00 PST · Lee" in text
    assert "*Pending quotes (6)*" in text and "… and 1 more" in text
    assert (
        "• Q-0 “Spring &lt;b&gt;restock&lt;/b&gt; &amp; more” · $12,000 · 5% off"
        " · valid until Fri 25 Dec · requested by Sam &amp; Max"
    ) in text
    assert isinstance(card.blocks[-1], Note)
    assert card.blocks[-1].text.startswith("As of Wed 25 Nov, 09:00 PST · provisional scores")
    payload = assert_within_limits(card)
    assert payload["blocks"][-1]["elements"][0]["action_id"] == SHARE_ACTION


def test_money_is_hidden_unless_asked_for() -> None:
    card = health_card(rich(), now=NOW, tz=TZ, show_money=False)
    texts = mrkdwn_texts(card)
    joined = "\n".join(texts)
    assert "$" not in joined and "12,400" not in joined and "12,000" not in joined
    assert "*Lifetime value*\n_figures hidden_\n3 orders over 8 months" in joined
    assert "• Receivables overdue, the oldest 70 days past due" in joined
    assert "*Next 365 days*\n16% chance of an order; ~0.5 orders\n" in joined
    assert "*Receivables:* _figures hidden_ · 3 open invoices, 2 overdue" in joined
    assert "• Q-1 · 5% off · valid until Thu 24 Dec · requested by Sam &amp; Max" in joined
    assert_within_limits(card)


def test_hostile_names_and_notes_are_escaped() -> None:
    notes = "Ping <!channel> and <@U123> & <https://evil.example|click> " + "x" * 1000
    card = health_card(rich(HOSTILE, notes), now=NOW, tz=TZ, show_money=True)
    assert card.blocks[0] == Header(HOSTILE)  # plain_text: shown as typed, never parsed
    texts = mrkdwn_texts(card)
    for text in texts:
        assert "<!" not in text and "<@" not in text and "<http" not in text, text
    assert card.summary == f"{HOSTILE}: health 21/100, high risk"  # plain; renderers escape
    assert texts[0] == "&lt;!channel&gt; &amp; Co &lt;@U123&gt;: health 21/100, high risk"
    contact = next(t for t in texts if t.startswith("*Last contact:*"))
    quoted = contact.split("“", 1)[1].rstrip("”")
    assert quoted.startswith("Ping &lt;!channel&gt; and &lt;@U123&gt; &amp; &lt;https://evil")
    assert len(quoted) <= 150 and quoted.endswith("…")
    assert_within_limits(card)


def test_empty_client_renders_sensibly() -> None:
    snapshot = ClientSnapshot(client=client(), owner_name=None)
    card = health_card(snapshot, now=NOW, tz="UTC", show_money=True)
    text = body(card)
    assert "No owner · Bronze tier · Prospect · ID ACME-1" in text
    assert "*Lifetime value*\n—" in text and "*Orders*\nNo orders yet" in text
    assert "*Last contact:* none logged yet" in text
    assert "*Receivables:* nothing open" in text
    assert "*Open tasks:* none" in text and "*Pending quotes:* none" in text
    assert ":large_yellow_circle:" not in text and "• No contact logged yet" in text
    assert card.summary == "Acme Corp: health 65/100, low risk"
    assert_within_limits(card)


def test_a_plain_snapshot_counts_what_it_carries() -> None:
    snapshot = rich()
    plain = ClientSnapshot(
        client=snapshot.client,
        owner_name="Dana",
        orders=snapshot.orders[-1:],
        open_tasks=snapshot.open_tasks[:2],
        pending_quotes=snapshot.pending_quotes[:1],
    )
    card = health_card(plain, now=NOW, tz="UTC", show_money=True)
    text = body(card)
    assert "*Open tasks (2)*" in text and "… and" not in text
    assert "*Pending quotes (1)*" in text and "requested by" not in text
    assert "Not enough orders for a rhythm; 140 days since the last" in text
    # a lone order long ago: likely gone, not "certainly alive" as plain BG/NBD would say
    assert "• Only one order, 140 days ago" in text
    assert "*Next order*\nNot expected within the next 365 days" in text
    assert_within_limits(card)


def test_medium_and_low_levels_use_their_colours() -> None:
    steady = HealthSnapshot(
        client=client(),
        owner_name="Dana",
        orders=[OrderLine(ago(d), D(1000)) for d in (150, 120, 90, 60, 30, 5)],
        last_activity=Activity(7, ActivityType.EMAIL, "", ago(0.5), None, Surface.SLASH),
    )
    card = health_card(steady, now=NOW, tz="UTC", show_money=True)
    text = body(card)
    assert ":large_green_circle: *Health 86/100* · risk 10 (low)\nchurn 10 · payment 0" in text
    assert "No warning signs." in text
    assert "*Order rhythm*\nUsually orders every 27–31 days; 5 days since the last" in text
    assert "*Last contact:* Email, today" in text and "“" not in text
    assert "*Next order*\nExpected around Sat 19 Dec" in text
    steady.last_activity = None
    steady.invoices = [InvoiceLine(ago(130), ago(100), D(10), D(0))]
    medium = body(health_card(steady, now=NOW, tz="UTC", show_money=True))
    assert ":large_yellow_circle: *Health 44/100* · risk 53 (medium)" in medium
    assert "• $10 overdue, the oldest 100 days past due" in medium
