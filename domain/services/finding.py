"""``/crm find``: clients and logged notes matching a text, the best ten."""

from __future__ import annotations

from domain.cards import Card, Header, Note, Text
from domain.ports import UnitOfWork
from domain.text import escape, safe

BEST = 10


async def find_card(uow: UnitOfWork, text: str) -> Card:
    clients = await uow.search.find_clients(text, limit=BEST)
    notes = await uow.search.find_notes(text, limit=BEST)
    if not clients and not notes:
        return Card(
            summary="Nothing found",
            blocks=(Text(f"Nothing matches “{safe(text, 200)}”. Try fewer or other words."),),
        )
    blocks: list[Header | Text | Note] = [Header(f"Results for “{text[:100]}”")]
    if clients:
        lines = [
            f"• *{escape(m.client.name)}* `{escape(m.client.external_id)}`" for m in clients[:BEST]
        ]
        blocks.append(Text("*Clients*\n" + "\n".join(lines)))
    room = max(0, BEST - len(clients))
    for match in notes[: max(room, 3)]:
        when = match.activity.occurred_at.date().isoformat()
        blocks.append(
            Text(
                f"*{escape(match.client.name)}* · {match.activity.type} · {when}\n"
                f">{safe(match.snippet, 300)}"
            )
        )
    return Card(summary=f"Results for {text[:100]}", blocks=tuple(blocks), shareable=True)
