"""Client and note search on SQLite (FTS5) and PostgreSQL (pg_trgm, full text)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alembic import command
from sqlalchemy import delete, event, text, update

from bot.bootstrap import Container
from domain.model import Activity, ActivityType, Client, Surface
from domain.services.resolve import Choose, NoMatch, Resolved, resolve_client
from storage.migrate import alembic_config, upgrade
from storage.models import ClientRow
from storage.repositories.search import fts_phrase, rarest, similarity, snippet, word_trigrams

WHEN = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)

NAMES = {
    "C1": "Acme Industrial",
    "C2": "Acme Industries",
    "C3": "Northwind Supply Co",
    "C4": "Müller Gebäudetechnik GmbH",
    "C5": "<!channel> & Co",
    "C6": "Blue Ridge Hardware",
    "C7": "Café Zürich",
    "C8": "Summit Fasteners Inc",
    "C9": "Summit Fasteners Inc",
    "C10": "Zebra Paper Company",
}

HOSTILE = [
    '"',
    '""',
    '"""',
    "*",
    "***",
    "NEAR(a b)",
    "NEAR(acme industrial, 2)",
    "'; DROP TABLE clients; --",
    "acme OR",
    "name_key : acme",
    "{email tags} : x",
    "^acme",
    "a AND NOT b",
    "%_\\",
    "\x00acme\x00",
    "acme\ud800",
    "x" * 10_000,
    "acme industrial " * 700,
]


def client(xid: str, name: str, **extra: Any) -> Client:
    return Client(external_id=xid, name=name, created_at=WHEN, **extra)


async def seed(container: Container, names: dict[str, str] = NAMES, **extra: Any) -> None:
    async with container.uow() as uow:
        await uow.clients.upsert_many([client(x, n, **extra) for x, n in names.items()])
        await uow.commit()


async def note(container: Container, xid: str, notes: str, *, days_ago: int = 0) -> int:
    async with container.uow() as uow:
        found = await uow.clients.get(xid)
        assert found is not None and found.id is not None
        activity = await uow.activities.add(
            Activity(
                client_id=found.id,
                type=ActivityType.CALL,
                notes=notes,
                occurred_at=WHEN - timedelta(days=days_ago),
                author_slack_user_id=None,
                source=Surface.CLI,
            )
        )
        await uow.commit()
    assert activity.id is not None
    return activity.id


def ids(clients: Sequence[Client]) -> list[str]:
    return [c.external_id for c in clients]


async def test_by_name_is_exact_and_case_insensitive(container: Container) -> None:
    await seed(container)
    async with container.uow() as uow:
        assert ids(await uow.search.by_name("acme industrial")) == ["C1"]
        assert ids(await uow.search.by_name("summit fasteners inc")) == ["C8", "C9"]
        assert ids(await uow.search.by_name("müller gebäudetechnik gmbh")) == ["C4"]
        assert ids(await uow.search.by_name("<!channel> & co")) == ["C5"]
        assert await uow.search.by_name("acme") == []


async def test_by_prefix_shortest_first_and_limited(container: Container) -> None:
    await seed(container)
    async with container.uow() as uow:
        assert ids(await uow.search.by_prefix("acme indus", limit=5)) == ["C1", "C2"]
        assert ids(await uow.search.by_prefix("acme industrie", limit=5)) == ["C2"]
        assert ids(await uow.search.by_prefix("a", limit=1)) == ["C1"]
        assert ids(await uow.search.by_prefix("mül", limit=5)) == ["C4"]
        assert ids(await uow.search.by_prefix("<!ch", limit=5)) == ["C5"]
        assert ids(await uow.search.by_prefix("café z", limit=5)) == ["C7"]
        assert await uow.search.by_prefix("", limit=5) == []
        assert await uow.search.by_prefix("%", limit=5) == []
        clients = await uow.search.by_prefix("summit", limit=5)
        assert {c.name for c in clients} == {"Summit Fasteners Inc"}


async def test_similar_ranks_near_duplicates_and_typos(container: Container) -> None:
    await seed(container)
    async with container.uow() as uow:
        typo = await uow.search.similar("Nortwind Suply", limit=5)
        assert [m.client.external_id for m in typo][:1] == ["C3"]
        assert typo[0].score == pytest.approx(similarity("nortwind suply", "northwind supply co"))
        near = await uow.search.similar("Acme Industrial", limit=5)
        assert [m.client.external_id for m in near] == ["C1", "C2"]
        assert near[0].score == pytest.approx(1.0)
        assert 0.25 <= near[1].score < 1.0
        assert [m.client.external_id for m in await uow.search.similar("Acme Industrie", limit=1)]
        assert await uow.search.similar("zz", limit=5) == []
        assert await uow.search.similar("qqqqqqqq", limit=5) == []


async def test_similar_handles_diacritics_and_mrkdwn_names(container: Container) -> None:
    await seed(container)
    async with container.uow() as uow:
        muller = await uow.search.similar("Muller Gebaudetechnik", limit=3)
        assert muller and muller[0].client.external_id == "C4"
        cafe = await uow.search.similar("Cafe Zurich", limit=3)
        assert cafe and cafe[0].client.external_id == "C7"
        channel = await uow.search.similar("channel & co", limit=3)
        assert channel and channel[0].client.external_id == "C5"
        assert channel[0].client.name == "<!channel> & Co"


async def test_both_backends_score_alike(container: Container) -> None:
    await seed(container)
    queries = [
        "acme indstrial",
        "northwind",
        "summit fastner",
        "summit_fasteners-inc",
        "blue rige hardwre",
        "zebra",
        "muller gebaudetechnik",
        "<!channel> & co",
        "cafe zurich",
    ]
    async with container.uow() as uow:
        for query in queries:
            for match in await uow.search.similar(query, limit=5):
                expected = similarity(query, match.client.name)
                assert match.score == pytest.approx(expected, abs=1e-6), query
                assert match.score >= 0.25


async def test_results_carry_the_owner(container: Container) -> None:
    async with container.uow() as uow:
        await uow.session.execute(
            text(
                "INSERT INTO users (slack_user_id, name, role, created_at, updated_at) "
                "VALUES ('U1', 'Rep', 'rep', :at, :at)"
            ),
            {"at": WHEN.replace(tzinfo=None)},
        )
        await uow.commit()
    await seed(container, {"C1": "Acme Industrial"}, owner_slack_user_id="U1")
    async with container.uow() as uow:
        (match,) = await uow.search.similar("acme industrial", limit=3)
        assert match.client.owner_slack_user_id == "U1"
        assert (await uow.search.by_name("acme industrial"))[0].owner_slack_user_id == "U1"


async def test_hostile_text_never_raises(container: Container) -> None:
    await seed(container)
    await note(container, "C1", 'Discussed "NEAR(a b)" pricing; * wildcard')
    async with container.uow() as uow:
        for query in HOSTILE:
            await uow.search.by_name(query)
            await uow.search.by_prefix(query, limit=5)
            await uow.search.similar(query, limit=5)
            await uow.search.find_clients(query, limit=10)
            await uow.search.find_notes(query, limit=10)
        assert await uow.search.find_clients("'; DROP TABLE clients; --", limit=10) == []
        await uow.clients.upsert_many([client("C11", 'Star*Mart "Best" Co')])
        assert ids(await uow.search.by_name('star*mart "best" co')) == ["C11"]
        assert ids(await uow.search.by_prefix('star*mart "', limit=5)) == ["C11"]
        assert [
            m.client.external_id for m in await uow.search.similar('Star*Mart "Best"', limit=5)
        ][:1] == ["C11"]
        assert [m.client.external_id for m in await uow.search.find_clients('"best"', limit=5)] == [
            "C11"
        ]
        await uow.rollback()
        assert await uow.search.find_clients("%", limit=10) == []
        near = await uow.search.find_notes("NEAR(a b)", limit=10)
        assert len(near) == 1
        assert await uow.clients.count() == len(NAMES)


async def test_find_clients_by_name_id_email_and_tag(container: Container) -> None:
    await seed(container)
    async with container.uow() as uow:
        await uow.clients.upsert_many(
            [
                client(
                    "ERP-77", "Granite Tool Depot", email="ap@granite-tools.example", tags=["hvac"]
                )
            ]
        )
        await uow.commit()
    async with container.uow() as uow:
        search = uow.search
        assert [m.client.external_id for m in await search.find_clients("ERP-77", limit=10)] == [
            "ERP-77"
        ]
        assert [m.client.external_id for m in await search.find_clients("ERP", limit=10)] == [
            "ERP-77"
        ]
        by_email = await search.find_clients("granite-tools", limit=10)
        assert [m.client.external_id for m in by_email] == ["ERP-77"]
        assert [m.client.external_id for m in await search.find_clients("HVAC", limit=10)] == [
            "ERP-77"
        ]
        inside = await search.find_clients("fasteners", limit=10)
        assert {m.client.external_id for m in inside} == {"C8", "C9"}
        acme = await search.find_clients("acme industrial", limit=10)
        assert [m.client.external_id for m in acme][:2] == ["C1", "C2"]
        assert acme[0].score == 1.0
        assert len(await search.find_clients("co", limit=2)) <= 2
        assert len(await search.find_clients("c", limit=3)) == 3


async def test_find_notes_ranks_excludes_undone_and_cuts_a_snippet(container: Container) -> None:
    await seed(container)
    long_note = (
        "Opening small talk about the weather. " * 10
        + ("They want a quote for stainless steel fasteners before Friday. ")
        + "Closing remarks and next steps, nothing else of note. " * 10
    )
    first = await note(container, "C1", long_note)
    undone = await note(container, "C2", "Stainless steel fasteners, urgent", days_ago=1)
    await note(container, "C3", "Talked about a café opening in Zürich", days_ago=2)
    async with container.uow() as uow:
        assert await uow.activities.undo(undone, now=WHEN)
        await uow.commit()
    async with container.uow() as uow:
        found = await uow.search.find_notes("STAINLESS fasteners", limit=10)
        assert [m.activity.id for m in found] == [first]
        (match,) = found
        assert match.client.external_id == "C1"
        assert match.activity.notes == long_note
        assert "stainless steel fasteners" in match.snippet
        assert len(match.snippet) <= 170
        assert match.snippet.startswith("…") and match.snippet.endswith("…")
        assert [m.client.external_id for m in await uow.search.find_notes("café", limit=5)] == [
            "C3"
        ]
        assert await uow.search.find_notes("stainless", limit=0) == []
        assert await uow.search.find_notes("...", limit=10) == []


async def test_find_notes_respects_the_limit(container: Container) -> None:
    await seed(container)
    for day in range(15):
        await note(container, "C6", f"Reorder of widgets number {day}", days_ago=day)
    async with container.uow() as uow:
        found = await uow.search.find_notes("widgets", limit=10)
        assert len(found) == 10
        assert all(m.snippet.startswith("Reorder of widgets") for m in found)


async def test_index_follows_updates_and_deletes(container: Container) -> None:
    await seed(container)
    note_id = await note(container, "C3", "Pallet of copper wire delivered")
    async with container.uow() as uow:
        await uow.clients.upsert_many([client("C3", "Southwind Logistics")])
        await uow.session.execute(
            text("UPDATE activities SET notes = 'Aluminium sheets' WHERE id = :id"),
            {"id": note_id},
        )
        await uow.commit()
    async with container.uow() as uow:
        assert await uow.search.similar("northwind supply", limit=5) == []
        renamed = await uow.search.similar("southwind logistic", limit=5)
        assert [m.client.external_id for m in renamed] == ["C3"]
        assert await uow.search.find_notes("copper", limit=5) == []
        assert len(await uow.search.find_notes("aluminium", limit=5)) == 1
        await uow.session.execute(delete(ClientRow).where(ClientRow.external_id == "C3"))
        await uow.commit()
    async with container.uow() as uow:
        assert await uow.search.similar("southwind logistic", limit=5) == []
        assert await uow.search.find_notes("aluminium", limit=5) == []
        await uow.session.execute(update(ClientRow).values(email="x@y.example"))
        await uow.commit()
    if container.engine.dialect.name == "sqlite":
        async with container.engine.connect() as conn:
            check = "INSERT INTO {0}({0}, rank) VALUES ('integrity-check', 1)"
            for fts in ("clients_fts", "activities_fts"):
                await conn.execute(text(check.format(fts)))


async def test_resolution_against_the_database(container: Container) -> None:
    await seed(container)
    async with container.uow() as uow:
        assert isinstance(found := await resolve_client(uow, "C3"), Resolved)
        assert found.client.name == "Northwind Supply Co"
        assert isinstance(found := await resolve_client(uow, "  ACME   industrial "), Resolved)
        assert found.client.external_id == "C1"
        assert isinstance(found := await resolve_client(uow, "north"), Resolved)
        assert isinstance(found := await resolve_client(uow, "acme"), Choose)
        assert not found.fuzzy and ids(found.candidates) == ["C1", "C2"]
        assert isinstance(found := await resolve_client(uow, "Summit Fasteners Inc"), Choose)
        assert ids(found.candidates) == ["C8", "C9"]
        assert isinstance(found := await resolve_client(uow, "Nortwind Suply"), Choose)
        assert found.fuzzy and ids(found.candidates) == ["C3"]
        assert isinstance(found := await resolve_client(uow, "qqqqqq"), NoMatch)
        assert found.suggestions == []


class Statements:
    """Records the SQL the driver receives, to EXPLAIN it as it was sent."""

    def __init__(self, container: Container) -> None:
        self.seen: list[tuple[str, Any]] = []
        event.listen(container.engine.sync_engine, "before_cursor_execute", self._record)

    def _record(self, _conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        self.seen.append((statement, params))

    def matching(self, needle: str) -> tuple[str, Any]:
        return next((s, p) for s, p in self.seen if needle in s)


@pytest.mark.pg
async def test_similar_uses_the_trigram_index_on_postgresql(pg_container: Container) -> None:
    container = pg_container
    await seed(container)
    async with container.uow() as uow:
        # enough rows, with statistics, for the planner to prefer an index to a scan
        await uow.session.execute(
            text(
                "INSERT INTO clients (external_id, name, name_key, tags, placeholder, "
                "created_at, updated_at) SELECT 'X' || i, 'Firm ' || i || ' Trading', "
                "'firm ' || i || ' trading', '[]', false, now(), now() "
                "FROM generate_series(1, 20000) AS i"
            )
        )
        await uow.commit()
    async with container.engine.connect() as conn:
        # what autovacuum does in production: statistics, and the GIN pending list merged
        autocommit = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.execute(text("VACUUM ANALYZE clients"))
    statements = Statements(container)
    async with container.uow() as uow:
        assert await uow.search.similar("Nortwind Suply", limit=5)
        statement, params = statements.matching("similarity(")
        conn = await uow.session.connection()
        plan = "\n".join((await conn.exec_driver_sql("EXPLAIN " + statement, params)).scalars())
    assert "Bitmap Index Scan on ix_clients_name_key_trgm" in plan, plan
    assert "Seq Scan on clients" not in plan, plan


async def test_similar_reads_the_fts_table_on_sqlite(sqlite_container: Container) -> None:
    container = sqlite_container
    many = {f"X{i}": f"Company {i} Trading" for i in range(2000)}
    await seed(container, {**NAMES, **many})
    statements = Statements(container)
    async with container.uow() as uow:
        assert await uow.search.similar("Nortwind Suply", limit=5)
        statement, params = statements.matching("clients_fts MATCH")
        conn = await uow.session.connection()
        plan = await conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params)
        details = [row[-1] for row in plan]
    assert any("clients_fts VIRTUAL TABLE" in d for d in details), details
    assert "SEARCH clients USING INTEGER PRIMARY KEY (rowid=?)" in details, details
    assert not any(d.split()[:2] == ["SCAN", "clients"] for d in details), details


SEARCH_OBJECTS = {
    "sqlite": "SELECT name FROM sqlite_master WHERE name LIKE 'clients_fts%' "
    "OR name LIKE 'activities_fts%'",
    "postgresql": "SELECT indexname FROM pg_indexes WHERE indexname IN ("
    "'ix_clients_name_key_trgm', 'ix_clients_name_key_c', 'ix_clients_external_id_c', "
    "'ix_clients_email_trgm', 'ix_clients_tags_trgm', 'ix_activities_notes_fts') "
    "UNION ALL SELECT stxname FROM pg_statistic_ext WHERE stxname = 'clients_name_trgm'",
}


async def test_migration_round_trips(container: Container) -> None:
    """Down to 0001 and up again, with clients in place: the indexes are rebuilt from them."""
    url = container.settings.database_url
    await seed(container)
    listing = text(SEARCH_OBJECTS[container.engine.dialect.name])
    async with container.engine.connect() as conn:
        assert (await conn.execute(listing)).all()
    await asyncio.to_thread(command.downgrade, alembic_config(url), "0001")
    async with container.engine.connect() as conn:
        assert (await conn.execute(listing)).all() == []
    await asyncio.to_thread(upgrade, url)
    async with container.uow() as uow:
        found = await uow.search.similar("Nortwind Suply", limit=5)
        assert [m.client.external_id for m in found] == ["C3"]
        await uow.clients.upsert_many([client("C11", "Zenith Marine")])
        assert ids(await uow.search.by_prefix("zenith", limit=5)) == ["C11"]
        assert [m.client.external_id for m in await uow.search.similar("zenit marine", limit=5)]


@pytest.mark.parametrize(
    ("a", "b", "pg_trgm"),
    [
        ("word", "two words", 0.36363637),
        ("nortwind suply", "northwind supply co", 0.5217391),
        ("müller gebaudetechnik", "müller gebäudetechnik gmbh", 0.6551724),
        ("o'brien & co", "obrien co", 0.61538464),
    ],
)
def test_similarity_is_pg_trgms(a: str, b: str, pg_trgm: float) -> None:
    # the values PostgreSQL 15's similarity() gives for the same pairs
    assert similarity(a, b) == pytest.approx(pg_trgm, abs=1e-6)


def test_query_helpers() -> None:
    assert fts_phrase('a "b" NEAR(c)') == '"a ""b"" NEAR(c)"'
    assert word_trigrams("ab acme's co-op") == ["acm", "cme"]
    counts = {"rare": 1.0, "zero": 0.0, "mid": 50.0, "common": 5000.0, "huge": 90000.0}
    assert rarest(counts, 100) == ["zero", "rare", "mid", "common"]
    assert rarest(counts, 1e6) == ["zero", "rare", "mid", "common", "huge"]


def test_snippet_cuts_around_the_first_term() -> None:
    assert snippet("short  note\nhere", ["note"]) == "short note here"
    text = (
        " ".join(f"w{i}" for i in range(100))
        + " Café order "
        + " ".join("x" * 5 for _ in range(80))
    )
    cut = snippet(text, ["cafe"], width=80)
    assert "Café order" in cut and cut.startswith("…") and cut.endswith("…")
    assert len(cut) <= 82
    assert snippet(text, ["absent"], width=40).startswith("w0 w1")
