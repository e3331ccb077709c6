"""Which client a user means by CLIENT (CONTRACT §4.1).

In order: exact external id, exact name (case-insensitive), a unique prefix, then the
closest names. Only the first three may settle on a client by themselves; a fuzzy match
is always put to the user, even when it is the only one, so nothing is ever saved
against a client the user did not name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from domain.model import Client
from domain.ports import ClientRepository
from domain.ports_chat import ClientSearch


def name_key(name: str) -> str:
    """Casefolded, whitespace-normalised: the form exact and prefix lookups compare.

    Must agree with ``storage.repositories.clients.name_key``, which fills the indexed
    column (a unit test holds them together).
    """
    return " ".join(name.casefold().split())


@dataclass(frozen=True)
class Resolved:
    client: Client


@dataclass(frozen=True)
class Choose:
    """Several candidates, or fuzzy ones: the user picks; nothing is saved until then."""

    query: str
    candidates: list[Client]
    fuzzy: bool


@dataclass(frozen=True)
class NoMatch:
    """Nothing matches. ``suggestions`` are clients the text only loosely fits (an id
    prefix, a name, email or tag containing it), to offer as "did you mean"; may be empty."""

    query: str
    suggestions: list[Client] = field(default_factory=list)


Resolution = Resolved | Choose | NoMatch


class ClientLookup(Protocol):
    """What resolution needs of a unit of work."""

    @property
    def clients(self) -> ClientRepository: ...

    @property
    def search(self) -> ClientSearch: ...


async def resolve_client(uow: ClientLookup, query: str, *, limit: int = 5) -> Resolution:
    """Resolve ``query`` to one client, candidates to choose from, or nothing."""
    wanted = query.strip()
    key = name_key(wanted)
    if not key:
        return NoMatch(query)
    by_id = await uow.clients.get(wanted)
    if by_id is not None:
        return Resolved(by_id)
    exact = list(await uow.search.by_name(key))
    if exact:
        return Resolved(exact[0]) if len(exact) == 1 else Choose(query, exact[:limit], fuzzy=False)
    prefixed = list(await uow.search.by_prefix(key, limit=max(limit, 1) + 1))
    if len(prefixed) == 1:
        return Resolved(prefixed[0])
    if prefixed:
        return Choose(query, prefixed[:limit], fuzzy=False)
    closest = await uow.search.similar(wanted, limit=limit)
    if closest:
        return Choose(query, [m.client for m in closest], fuzzy=True)
    loosely = await uow.search.find_clients(wanted, limit=limit)
    return NoMatch(query, [m.client for m in loosely])
