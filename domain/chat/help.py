"""The usage card: what ``/crm`` understands (CONTRACT §4.1)."""

from __future__ import annotations

from domain.cards import Card, Header, Note, Text

USAGE = (
    ("log TYPE CLIENT: NOTES [| WHEN]", "log a call, email, meeting or note"),
    ("log", "open the log form"),
    ("task [@USER] CLIENT: TITLE [| WHEN]", "create a task (for you unless you mention someone)"),
    ("task", "open the task form"),
    ("tasks", "your open tasks, overdue first"),
    ("health CLIENT", "the client's card: health, risk, value, receivables"),
    ("find TEXT", "clients and notes matching TEXT"),
    ("quotes", "quotes waiting on your approval"),
    ("link CLIENT  /  unlink", "tie this channel to a client (admins)"),
    ("digest", "send your digest now"),
    ("settings", "digest time, quiet hours and alerts"),
)

EXAMPLES = (
    "/crm log call Acme: talked about Q1 pricing | yesterday 3pm",
    "/crm task @dana Acme: send the revised quote | friday 9am",
    "/crm task Acme: pipeline review | every 2 weeks from monday",
    "/crm health Acme",
)


def help_card() -> Card:
    lines = "\n".join(f"`/crm {syntax}` — {what}" for syntax, what in USAGE)
    examples = "\n".join(f"`{e}`" for e in EXAMPLES)
    return Card(
        summary="How to use /crm",
        blocks=(
            Header("crmbot — your CRM in Slack"),
            Text(lines),
            Text("*Examples*\n" + examples),
            Note(
                "CLIENT is an id, a name or the start of one. WHEN is plain English in your "
                "time zone: `tomorrow 3pm`, `next friday`, `in 2 weeks`, `2026-12-01 09:30`."
            ),
        ),
    )
