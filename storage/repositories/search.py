"""Client and note search over indexes: FTS5 on SQLite, pg_trgm and full text on PostgreSQL.

Closest names are ranked on both backends by pg_trgm's trigram similarity, computed
only for a bounded set of candidates: the names that share one of the query's *rarest*
trigrams. Rarity comes from the index itself (an fts5vocab table on SQLite, the
extended statistics of migration 0002 on PostgreSQL), so a query costs about the same
at 1,000 clients and at 100,000, whatever words the names share. SQLite ranks the
candidates by bm25 and scores the best hundred in Python; PostgreSQL scores them all
(at most ``PG_CANDIDATE_CAP``). A text many names contain (one common word) reaches
only part of them: those matches are broad, and exact-and-contains lookups serve them.

Every user text is bound as a parameter and, where it reaches an FTS5 query, quoted
term by term, so no input can be read as FTS syntax.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    and_,
    bindparam,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy import text as sql
from sqlalchemy.ext.asyncio import AsyncSession

from domain.model import Client
from domain.ports_chat import ClientMatch, NoteMatch
from storage.models import ActivityRow, ClientRow, UserRow
from storage.repositories.clients import _with_owner, client_entity, name_key
from storage.repositories.work import activity_entity

THRESHOLD = 0.25  # lowest trigram similarity still offered as a "closest name"
SQLITE_POSTINGS = 20_000  # trigram postings read per query to pick candidates
SQLITE_RESCORED = 100  # best candidates by bm25, scored in Python
PG_CANDIDATES = 4_000  # estimated names sharing the chosen trigrams
PG_CANDIDATE_CAP = 5_000  # and never more than these, whatever the estimate said
MAX_QUERY_CHARS = 300  # longest client name the schema holds
MAX_TRIGRAMS = 64
MIN_CHOSEN = 4  # trigrams per query at least, however common (see ``rarest``)
MAX_NOTE_TERMS = 32
MAX_SAME_NAME = 50
CONTAINS_READ = 5  # "contains" reads limit × this many rows, keeps the shortest names
SNIPPET_CHARS = 160
PREFIX_END = "\U0010ffff"  # above every character: [p, p + PREFIX_END) holds p…

# a client found by something other than its name's closeness
EXACT, PREFIX, NAME_CONTAINS, OTHER_CONTAINS = 1.0, 0.9, 0.6, 0.5

_WORD = re.compile(r"[^\W_]+")
_CONTROL = {"Cc", "Cf", "Cs", "Co", "Cn"}

_FTS_BEST = (
    "SELECT rowid AS id, rank FROM clients_fts WHERE clients_fts MATCH :match "
    "ORDER BY rank LIMIT :n"
)
_FTS_ANY = "SELECT rowid AS id, 0 AS rank FROM clients_fts WHERE clients_fts MATCH :match LIMIT :n"
_VOCAB = sql(
    "SELECT term, doc FROM clients_fts_vocab WHERE col = 'name_key' AND term IN :terms"
).bindparams(bindparam("terms", expanding=True))
_PG_ESTIMATES = sql(
    "SELECT u.e, u.f * greatest(c.reltuples, 0) FROM pg_stats_ext_exprs AS s "
    "CROSS JOIN LATERAL unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) "
    "AS u(e, f) CROSS JOIN (SELECT reltuples FROM pg_class WHERE oid = 'clients'::regclass) "
    "AS c WHERE s.statistics_name = 'clients_name_trgm' AND u.e IN :terms"
).bindparams(bindparam("terms", expanding=True))


def clean(value: str, limit: int = MAX_QUERY_CHARS) -> str:
    """The text without control or unencodable characters (NUL, lone surrogates), cut."""
    kept = (" " if unicodedata.category(c) in _CONTROL else c for c in value[: limit * 4])
    return "".join(kept)[:limit]


def trigrams(value: str) -> set[str]:
    """pg_trgm's trigrams: each alphanumeric word lowercased, padded "  word ", cut in 3s."""
    found: set[str] = set()
    for word in _WORD.findall(value.casefold()):
        padded = f"  {word} "
        found.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return found


def similarity(a: str, b: str) -> float:
    """pg_trgm's ``similarity()``: shared trigrams over all trigrams of both texts."""
    ta, tb = trigrams(a), trigrams(b)
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / len(ta | tb)


def word_trigrams(key: str) -> list[str]:
    """The 3-letter runs inside the query's words: what both indexes can look up."""
    runs = (w[i : i + 3] for w in _WORD.findall(key) for i in range(len(w) - 2))
    return list(dict.fromkeys(runs))[:MAX_TRIGRAMS]


def rarest(counts: dict[str, float], budget: float) -> list[str]:
    """The rarest trigrams whose rows add up to ``budget``, and at least ``MIN_CHOSEN``:
    a typo makes up to three trigrams the meant name lacks, rare ones, so a fourth
    is needed to reach it."""
    chosen: list[str] = []
    total = 0.0
    for trigram in sorted(counts, key=lambda t: (counts[t], t)):
        if len(chosen) >= MIN_CHOSEN and total + counts[trigram] > budget:
            break
        chosen.append(trigram)
        total += counts[trigram]
    return chosen


def fts_phrase(value: str) -> str:
    """One FTS5 string: whatever ``value`` holds, it is read as text, never as syntax."""
    return '"' + value.replace('"', '""') + '"'


def _fold(value: str) -> str:
    """Lowercase without diacritics, one character for one, so positions still line up."""
    return "".join((unicodedata.normalize("NFD", c)[:1] or c).lower()[:1] for c in value)


def snippet(notes: str, terms: Sequence[str], *, width: int = SNIPPET_CHARS) -> str:
    """Plain text of about ``width`` characters around the first term found in ``notes``."""
    flat = " ".join(notes.split())
    if len(flat) <= width:
        return flat
    folded = _fold(flat)
    hits = [m.start() for t in terms if (m := re.search(rf"\b{re.escape(_fold(t))}", folded))]
    start = min(max(0, min(hits, default=0) - width // 3), len(flat) - width)
    if start > 0:
        space = flat.find(" ", start, start + 20)
        start = space + 1 if space != -1 else start
    end = min(len(flat), start + width)
    if end < len(flat):
        space = flat.rfind(" ", end - 20, end)
        end = space if space > start else end
    return ("…" if start > 0 else "") + flat[start:end].strip() + ("…" if end < len(flat) else "")


def _like(value: str) -> str:
    """A LIKE pattern (PostgreSQL's default escape, backslash) for "contains ``value``"."""
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _ranked(matches: Iterable[ClientMatch], limit: int) -> list[ClientMatch]:
    best: dict[int | None, ClientMatch] = {}
    for m in matches:
        if m.client.id not in best or m.score > best[m.client.id].score:
            best[m.client.id] = m
    order = sorted(
        best.values(), key=lambda m: (-m.score, len(m.client.name), m.client.name, m.client.id)
    )
    return order[:limit]


def _scored(clients: Iterable[Client], score: float) -> list[ClientMatch]:
    return [ClientMatch(c, score) for c in clients]


def _shortest(clients: Iterable[Client], limit: int) -> list[Client]:
    # a common word is in thousands of names: of the few read, offer the shortest
    return sorted(clients, key=lambda c: (len(c.name), c.name, c.id or 0))[:limit]


class SqlClientSearch:
    """``ClientSearch`` over the indexes of migration 0002, on SQLite and PostgreSQL."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.sqlite = session.get_bind().dialect.name == "sqlite"

    async def _clients(self, query: Any) -> list[Client]:
        return [client_entity(row, owner) for row, owner, *_ in await self.session.execute(query)]

    def _starts(self, column: Any, *prefixes: str) -> ColumnElement[bool]:
        # PostgreSQL's collation may not order by code point; its "C" btrees do
        column = column if self.sqlite else column.collate("C")
        return or_(*(and_(column >= p, column < p + PREFIX_END) for p in dict.fromkeys(prefixes)))

    async def by_name(self, name_key: str) -> Sequence[Client]:
        query = _with_owner().where(ClientRow.name_key == clean(name_key))
        return await self._clients(query.order_by(ClientRow.external_id).limit(MAX_SAME_NAME))

    async def by_prefix(self, prefix_key: str, *, limit: int) -> Sequence[Client]:
        prefix = clean(prefix_key)
        if not prefix or limit <= 0:
            return []
        query = _with_owner().where(self._starts(ClientRow.name_key, prefix))
        order = (func.length(ClientRow.name), ClientRow.name, ClientRow.id)
        return await self._clients(query.order_by(*order).limit(limit))

    async def similar(self, text: str, *, limit: int) -> Sequence[ClientMatch]:
        key = name_key(clean(text))
        found = word_trigrams(key)
        if not found or limit <= 0:
            return []
        if self.sqlite:
            return await self._similar_sqlite(key, found, limit)
        return await self._similar_postgresql(key, found, limit)

    async def _similar_sqlite(self, key: str, found: list[str], limit: int) -> list[ClientMatch]:
        rows = await self.session.execute(_VOCAB, {"terms": found})
        counts: dict[str, float] = {t: float(n) for t, n in rows if n}
        chosen = rarest(counts, SQLITE_POSTINGS)
        if not chosen:
            return []
        match = "name_key : (" + " OR ".join(fts_phrase(t) for t in chosen) + ")"
        candidates = await self._fts_clients(match, max(SQLITE_RESCORED, limit), ranked=True)
        scored = [ClientMatch(c, similarity(key, name_key(c.name))) for c in candidates]
        return _ranked((m for m in scored if m.score >= THRESHOLD), limit)

    async def _similar_postgresql(
        self, key: str, found: list[str], limit: int
    ) -> list[ClientMatch]:
        # A trigram missing from the statistics is rarer than every one listed there.
        # No statistics at all (before the first ANALYZE, or a role that does not own
        # the table) make every trigram "rare": still correct, only capped sooner.
        rows = await self.session.execute(_PG_ESTIMATES, {"terms": found})
        estimates: dict[str, float] = {t: float(n) for t, n in rows}
        chosen = rarest({t: estimates.get(t, 0.0) for t in found}, PG_CANDIDATES)
        candidates = (
            select(ClientRow.id, ClientRow.name_key)
            .where(ClientRow.name_key.regexp_match("|".join(chosen)))
            .limit(PG_CANDIDATE_CAP)
            .subquery("candidates")
        )
        score = func.similarity(candidates.c.name_key, key)
        query = (
            _with_owner()
            .add_columns(score)
            .join(candidates, candidates.c.id == ClientRow.id)
            .where(score >= THRESHOLD)
            .order_by(score.desc(), func.length(ClientRow.name), ClientRow.name, ClientRow.id)
            .limit(limit)
        )
        scored = await self.session.execute(query)
        return [ClientMatch(client_entity(row, owner), float(s)) for row, owner, s in scored]

    async def _fts_clients(self, match: str, limit: int, *, ranked: bool) -> list[Client]:
        fts = (
            sql(_FTS_BEST if ranked else _FTS_ANY)
            .bindparams(match=match, n=limit)
            .columns(id=Integer, rank=Float)
            .subquery("fts")
        )
        query = _with_owner().join(fts, fts.c.id == ClientRow.id).order_by(fts.c.rank)
        return await self._clients(query)

    async def find_clients(self, text: str, *, limit: int) -> Sequence[ClientMatch]:
        """Exact and prefix matches of id and name, then names, emails and tags that
        contain the text; the closest names fill what those leave of ``limit``."""
        raw = " ".join(clean(text).split())
        if not raw or limit <= 0:
            return []
        key = name_key(raw)
        xids = (raw, raw.upper())  # ids are mostly upper case, and mostly typed in lower
        by_id = _with_owner().where(self._starts(ClientRow.external_id, *xids))
        ids = await self._clients(by_id.order_by(ClientRow.external_id).limit(limit))
        named = await self.by_prefix(key, limit=limit)
        found = [
            *(ClientMatch(c, EXACT if c.external_id in xids else PREFIX) for c in ids),
            *(ClientMatch(c, EXACT if name_key(c.name) == key else PREFIX) for c in named),
        ]
        if len(key) >= 3:
            found += _scored(await self._name_contains(key, limit), NAME_CONTAINS)
            found += _scored(await self._other_contains(raw.lower(), limit), OTHER_CONTAINS)
        # a text that many names contain is no typo, and would cost the most to compare
        if len(_ranked(found, limit)) < limit:
            found += await self.similar(raw, limit=limit)
        return _ranked(found, limit)

    async def _name_contains(self, key: str, limit: int) -> list[Client]:
        read = limit * CONTAINS_READ
        if self.sqlite:
            found = await self._fts_clients("name_key : " + fts_phrase(key), read, ranked=False)
        else:
            query = _with_owner().where(ClientRow.name_key.like(_like(key))).limit(read)
            found = await self._clients(query)
        return _shortest(found, limit)

    async def _other_contains(self, lowered: str, limit: int) -> list[Client]:
        read = limit * CONTAINS_READ
        if self.sqlite:
            match = "{email tags} : " + fts_phrase(lowered)
            return _shortest(await self._fts_clients(match, read, ranked=False), limit)
        pattern = _like(lowered)
        tags = func.lower(literal_column("clients.tags::text"))
        either = func.lower(ClientRow.email).like(pattern) | tags.like(pattern)
        return _shortest(await self._clients(_with_owner().where(either).limit(read)), limit)

    async def find_notes(self, text: str, *, limit: int) -> Sequence[NoteMatch]:
        terms = _WORD.findall(clean(text, 20 * MAX_NOTE_TERMS))[:MAX_NOTE_TERMS]
        if not terms or limit <= 0:
            return []
        best = self._notes_sqlite if self.sqlite else self._notes_postgresql
        ranked = await best(terms, limit)
        rows = await self.session.execute(
            select(ActivityRow, UserRow.slack_user_id)
            .outerjoin(UserRow, UserRow.id == ActivityRow.author_id)
            .where(ActivityRow.id.in_(ranked))
        )
        loaded = {row.id: activity_entity(row, author) for row, author in rows}
        found = [loaded[i] for i in ranked if i in loaded]
        owners = _with_owner().where(ClientRow.id.in_({a.client_id for a in found}))
        clients = {c.id: c for c in await self._clients(owners)}
        return [NoteMatch(a, clients[a.client_id], snippet(a.notes, terms)) for a in found]

    async def _notes_sqlite(self, terms: list[str], limit: int) -> list[int]:
        fts = (
            sql("SELECT rowid AS id, rank FROM activities_fts WHERE activities_fts MATCH :match")
            .bindparams(match=" ".join(fts_phrase(t) for t in terms))
            .columns(id=Integer, rank=Float)
            .subquery("fts")
        )
        query = (
            select(ActivityRow.id)
            .join(fts, fts.c.id == ActivityRow.id)
            .where(ActivityRow.deleted_at.is_(None))
            .order_by(fts.c.rank, ActivityRow.occurred_at.desc(), ActivityRow.id.desc())
            .limit(limit)
        )
        return list((await self.session.execute(query)).scalars())

    async def _notes_postgresql(self, terms: list[str], limit: int) -> list[int]:
        vector = func.to_tsvector(literal_column("'simple'"), ActivityRow.notes)
        wanted = func.plainto_tsquery(literal_column("'simple'"), " ".join(terms))
        query = (
            select(ActivityRow.id)
            .where(vector.op("@@")(wanted), ActivityRow.deleted_at.is_(None))
            .order_by(
                func.ts_rank(vector, wanted).desc(),
                ActivityRow.occurred_at.desc(),
                ActivityRow.id.desc(),
            )
            .limit(limit)
        )
        return list((await self.session.execute(query)).scalars())
