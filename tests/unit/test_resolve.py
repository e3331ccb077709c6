"""Client resolution (CONTRACT §4.1) over a tiny in-memory fake of clients and search."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from difflib import SequenceMatcher

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.model import Client
from domain.ports import UpsertResult
from domain.ports_chat import ClientMatch, NoteMatch
from domain.services.resolve import Choose, NoMatch, Resolved, name_key, resolve_client
from storage.repositories.clients import name_key as storage_name_key


class FakeClients:
    def __init__(self, clients: list[Client]) -> None:
        self.rows = clients

    async def get(self, external_id: str) -> Client | None:
        return next((c for c in self.rows if c.external_id == external_id), None)

    async def get_by_id(self, client_id: int) -> Client | None:
        return next((c for c in self.rows if c.id == client_id), None)

    async def existing_ids(self, external_ids: Iterable[str]) -> set[str]:
        return {c.external_id for c in self.rows} & set(external_ids)

    async def upsert_many(self, clients: Sequence[Client]) -> UpsertResult:
        raise NotImplementedError

    async def ids_for(self, external_ids: Iterable[str]) -> dict[str, int]:
        return {c.external_id: c.id or 0 for c in self.rows if c.external_id in external_ids}

    async def add_placeholders(self, external_ids: Iterable[str]) -> int:
        raise NotImplementedError

    async def count(self) -> int:
        return len(self.rows)


class FakeSearch:
    """The port's meaning on a list; closeness by difflib, which is enough to choose by."""

    def __init__(self, clients: list[Client]) -> None:
        self.rows = clients
        self.calls: list[str] = []

    def _ordered(self, clients: Iterable[Client]) -> list[Client]:
        return sorted(clients, key=lambda c: (len(c.name), c.name, c.external_id))

    async def by_name(self, name_key: str) -> Sequence[Client]:
        self.calls.append("by_name")
        found = [c for c in self.rows if storage_name_key(c.name) == name_key]
        return sorted(found, key=lambda c: c.external_id)

    async def by_prefix(self, prefix_key: str, *, limit: int) -> Sequence[Client]:
        self.calls.append("by_prefix")
        found = [c for c in self.rows if storage_name_key(c.name).startswith(prefix_key)]
        return self._ordered(found)[:limit]

    async def similar(self, text: str, *, limit: int) -> Sequence[ClientMatch]:
        self.calls.append("similar")
        scored = [
            ClientMatch(c, SequenceMatcher(None, name_key(text), name_key(c.name)).ratio())
            for c in self.rows
        ]
        best = sorted((m for m in scored if m.score >= 0.75), key=lambda m: -m.score)
        return best[:limit]

    async def find_clients(self, text: str, *, limit: int) -> Sequence[ClientMatch]:
        self.calls.append("find_clients")
        wanted = text.casefold()
        found = [c for c in self.rows if wanted in (c.email or "") or wanted in c.tags]
        return [ClientMatch(c, 0.5) for c in self._ordered(found)][:limit]

    async def find_notes(self, text: str, *, limit: int) -> Sequence[NoteMatch]:
        return []


class FakeLookup:
    def __init__(self, *clients: Client) -> None:
        rows = [
            Client(external_id=c.external_id, name=c.name, email=c.email, tags=c.tags, id=i)
            for i, c in enumerate(clients, start=1)
        ]
        self.clients = FakeClients(rows)
        self.search = FakeSearch(rows)


def c(xid: str, name: str, **extra: object) -> Client:
    return Client(external_id=xid, name=name, **extra)  # type: ignore[arg-type]


def xids(clients: Sequence[Client]) -> list[str]:
    return [client.external_id for client in clients]


BOOK = FakeLookup(
    c("C1", "Acme Industrial"),
    c("C2", "Acme Industries"),
    c("C3", "Northwind Supply Co"),
    c("C4", "Summit Fasteners"),
    c("C5", "Summit Fasteners"),
    c("C6", "Acme"),
    c("ACME", "Zebra Paper"),
    c("C7", "Müller GmbH"),
    c("C8", "Harbor Tool", email="ap@harbor.example", tags=["hvac"]),
    *[c(f"S{i}", f"Summit {i}") for i in range(10)],
)


async def test_external_id_comes_first() -> None:
    lookup = FakeLookup(*BOOK.clients.rows)
    found = await resolve_client(lookup, "ACME")
    assert isinstance(found, Resolved) and found.client.name == "Zebra Paper"
    assert lookup.search.calls == []


async def test_exact_name_ignores_case_and_spacing() -> None:
    found = await resolve_client(BOOK, "  acme   INDUSTRIAL ")
    assert isinstance(found, Resolved) and found.client.external_id == "C1"
    found = await resolve_client(BOOK, "MÜLLER gmbh")
    assert isinstance(found, Resolved) and found.client.external_id == "C7"


async def test_exact_name_beats_a_longer_prefix_match() -> None:
    found = await resolve_client(BOOK, "acme")
    assert isinstance(found, Resolved) and found.client.external_id == "C6"


async def test_several_with_the_same_name_are_offered() -> None:
    found = await resolve_client(BOOK, "summit fasteners")
    assert isinstance(found, Choose)
    assert xids(found.candidates) == ["C4", "C5"] and not found.fuzzy
    assert found.query == "summit fasteners"


async def test_a_unique_prefix_resolves() -> None:
    found = await resolve_client(BOOK, "north")
    assert isinstance(found, Resolved) and found.client.external_id == "C3"


async def test_an_ambiguous_prefix_offers_the_shortest_names_up_to_the_limit() -> None:
    found = await resolve_client(BOOK, "acme indus")
    assert isinstance(found, Choose) and not found.fuzzy
    assert xids(found.candidates) == ["C1", "C2"]
    found = await resolve_client(BOOK, "summit", limit=3)
    assert isinstance(found, Choose) and len(found.candidates) == 3


async def test_a_single_fuzzy_match_is_never_taken_silently() -> None:
    found = await resolve_client(BOOK, "Nortwind Suply Co")
    assert isinstance(found, Choose)
    assert found.fuzzy and xids(found.candidates) == ["C3"]


async def test_near_duplicates_by_typo_are_both_offered() -> None:
    found = await resolve_client(BOOK, "acme industrail")
    assert isinstance(found, Choose) and found.fuzzy
    assert set(xids(found.candidates)) == {"C1", "C2"}


async def test_nothing_matches_with_and_without_suggestions() -> None:
    found = await resolve_client(BOOK, "hvac")
    assert isinstance(found, NoMatch) and xids(found.suggestions) == ["C8"]
    found = await resolve_client(BOOK, "qqqqqq")
    assert isinstance(found, NoMatch) and found.suggestions == []
    assert found.query == "qqqqqq"


@pytest.mark.parametrize("blank", ["", "   ", "\t\n"])
async def test_a_blank_query_matches_nothing(blank: str) -> None:
    lookup = FakeLookup(*BOOK.clients.rows)
    found = await resolve_client(lookup, blank)
    assert isinstance(found, NoMatch) and found.suggestions == []
    assert lookup.search.calls == []


@pytest.mark.parametrize(
    "name",
    ["Acme", "  ACME\tIndustrial \n", "Straße", "ΣΊΣΥΦΟΣ", "İstanbul", "ﬁne", "a\u00a0b", ""],
)
def test_name_key_agrees_with_storage(name: str) -> None:
    assert name_key(name) == storage_name_key(name)


@given(st.text())
def test_name_key_agrees_with_storage_for_any_text(name: str) -> None:
    assert name_key(name) == storage_name_key(name)
