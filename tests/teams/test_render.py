"""Cards to Adaptive Cards: Markdown, buttons, inputs and Teams' limits."""

from __future__ import annotations

import json

from bot.teams.render import CARD_BYTES, MAX_ACTIONS, MAX_ELEMENTS, adaptive_card, markdown
from domain.cards import Actions, Button, Card, Checkboxes, Divider, Header, Note, Text
from domain.chat.replies import APPROVE, REJECT
from domain.text import escape


def test_mrkdwn_light_becomes_markdown() -> None:
    text = (
        "*Acme* owes _a lot_ :warning: <@U1> <https://x.io/a|the invoice> on <!date^0^{date}|then>"
    )
    shown = markdown(text, {"U1": "Dana"})
    assert shown == (
        "**Acme** owes _a lot_ ⚠️ Dana [the invoice](https://x.io/a) on "
        "{{DATE(1970-01-01T00:00:00Z, SHORT)}} {{TIME(1970-01-01T00:00:00Z)}}"
    )
    typed = escape("<@U1> [click](https://evil.example) 2*3*4 & more")
    assert markdown(typed) == "<@U1> [click]\u200b(https://evil.example) 2*3*4 & more"
    assert markdown("a\nb") == "a\n\nb"


def test_blocks_become_elements_and_buttons_action_execute() -> None:
    card = Card(
        "summary",
        (
            Header("Title"),
            Text("*Facts*", fields=("*Client*\nAcme", "plain")),
            Divider(),
            Note("small"),
            Actions(
                (
                    Button("Approve", APPROVE, "7", "primary"),
                    Button("Reject", REJECT, "7", "danger"),
                )
            ),
            Checkboxes("Tick", "pick", (("One", "1"), ("Two", "2"))),
        ),
    )
    out = adaptive_card(card, refresh={"action": {}, "userIds": []})
    assert (out["type"], out["version"], out["fallbackText"]) == ("AdaptiveCard", "1.5", "summary")
    kinds = [e["type"] for e in out["body"]]
    assert kinds == [
        "TextBlock",
        "TextBlock",
        "FactSet",
        "TextBlock",
        "Input.Text",
        "ActionSet",
        "TextBlock",
        "Input.ChoiceSet",
    ]
    assert out["body"][2]["facts"] == [
        {"title": "Client", "value": "Acme"},
        {"title": "", "value": "plain"},
    ]
    assert out["body"][3]["separator"] is True and out["body"][3]["isSubtle"] is True
    approve, reject = out["body"][5]["actions"]
    assert approve == {
        "type": "Action.Execute",
        "title": "Approve",
        "verb": APPROVE,
        "data": {"value": "7"},
        "style": "positive",
    }
    assert reject["style"] == "destructive"
    choice = out["body"][7]
    assert choice["isMultiSelect"] is True and choice["id"] == "pick"
    assert choice["choices"] == [{"title": "One", "value": "1"}, {"title": "Two", "value": "2"}]
    assert "refresh" in out


def test_limits_are_kept() -> None:
    many = Card("many", tuple(Text(f"line {n}") for n in range(200)))
    body = adaptive_card(many)["body"]
    assert len(body) == MAX_ELEMENTS and body[-1]["text"] == "…more not shown"
    huge = Card("huge", tuple(Text("x" * 5000) for _ in range(20)))
    out = adaptive_card(huge)
    assert len(json.dumps(out, ensure_ascii=False).encode()) <= CARD_BYTES
    assert all(len(e["text"]) <= 3000 for e in out["body"])
    buttons = Card("b", (Actions(tuple(Button("x" * 100, f"a{n}") for n in range(9))),))
    (action_set,) = adaptive_card(buttons)["body"]
    assert len(action_set["actions"]) == MAX_ACTIONS
    assert all(len(a["title"]) <= 75 for a in action_set["actions"])
