"""search: client-name trigrams and full-text notes

SQLite: two external-content FTS5 tables kept in sync by triggers
(``clients_fts``: trigram over name_key, external_id, email, tags;
``activities_fts``: unicode61 without diacritics over notes).
PostgreSQL: pg_trgm GIN indexes, C-collation btrees for prefix ranges and a GIN
full-text index over notes.

A later migration that rebuilds ``clients`` or ``activities`` with batch_alter_table
on SQLite drops their triggers with the old table: it must create them again (the
statements of ``_sqlite_triggers`` below) and rebuild the FTS table.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

CLIENT_COLUMNS = ("name_key", "external_id", "email", "tags")

SQLITE_TABLES = {
    "clients_fts": (
        "clients",
        CLIENT_COLUMNS,
        "trigram",
    ),
    "activities_fts": (
        "activities",
        ("notes",),
        "unicode61 remove_diacritics 2",
    ),
}

PG_STATISTICS = (
    # the frequency of each trigram among names, kept by (auto)ANALYZE; search reads it
    # from pg_stats_ext_exprs to pick the rarest of a query's trigrams (PostgreSQL 14+)
    "CREATE STATISTICS clients_name_trgm ON (show_trgm(name_key::text)) FROM clients"
)

PG_INDEXES = (
    # closest names: similarity() / % over the casefolded name
    "CREATE INDEX ix_clients_name_key_trgm ON clients USING gin (name_key gin_trgm_ops)",
    # prefix ranges compare code points, whatever the database's collation
    'CREATE INDEX ix_clients_name_key_c ON clients (name_key COLLATE "C")',
    'CREATE INDEX ix_clients_external_id_c ON clients (external_id COLLATE "C")',
    # "contains" on email and tags for /crm find
    "CREATE INDEX ix_clients_email_trgm ON clients USING gin (lower(email) gin_trgm_ops)",
    "CREATE INDEX ix_clients_tags_trgm ON clients USING gin (lower(tags::text) gin_trgm_ops)",
    "CREATE INDEX ix_activities_notes_fts ON activities "
    "USING gin (to_tsvector('simple', notes))",
)


def _sqlite_triggers(fts: str, table: str, columns: tuple[str, ...]) -> list[str]:
    cols = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    insert = f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new});"
    delete = f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old});"
    return [
        f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN {insert} END",
        f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN {delete} END",
        f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {cols} ON {table} "
        f"BEGIN {delete} {insert} END",
    ]


def _upgrade_sqlite() -> None:
    for fts, (table, columns, tokenizer) in SQLITE_TABLES.items():
        op.execute(
            f"CREATE VIRTUAL TABLE {fts} USING fts5({', '.join(columns)}, "
            f"content='{table}', content_rowid='id', tokenize='{tokenizer}')"
        )
        for statement in _sqlite_triggers(fts, table, columns):
            op.execute(statement)
        op.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")
    # how many names hold each trigram: search picks the rarest of a query's trigrams
    op.execute("CREATE VIRTUAL TABLE clients_fts_vocab USING fts5vocab(clients_fts, 'col')")


def _upgrade_postgresql() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for statement in PG_INDEXES:
        op.execute(statement)
    op.execute(PG_STATISTICS)
    op.execute("ANALYZE clients")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _upgrade_sqlite()
    else:
        _upgrade_postgresql()


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS clients_fts_vocab")
        for fts in SQLITE_TABLES:
            for suffix in ("ai", "ad", "au"):
                op.execute(f"DROP TRIGGER IF EXISTS {fts}_{suffix}")
            op.execute(f"DROP TABLE IF EXISTS {fts}")
        return
    op.execute("DROP STATISTICS IF EXISTS clients_name_trgm")
    for statement in PG_INDEXES:
        name = statement.split()[2]
        op.execute(f"DROP INDEX IF EXISTS {name}")
    # the extension stays: other objects may use it, and dropping it needs ownership
