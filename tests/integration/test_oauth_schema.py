"""Migration 0010 makes exactly the tables Bolt's SQLAlchemy stores read and write."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection

from bot.bootstrap import Container
from storage.models import Base

OURS = {"slack_installations", "slack_bots", "slack_oauth_states"}
COLUMNS = {("users", "slack_team_id"), ("outbox", "team_id")}


def _where(diff: Any) -> tuple[str | None, str | None]:
    """The table and column of one autogenerate difference."""
    if isinstance(diff, list):  # column modifications: ("modify_type", schema, table, column, …)
        return diff[0][2], diff[0][3]
    if diff[0] in ("add_column", "remove_column"):
        return diff[2], diff[3].name
    table = getattr(diff[1], "table", diff[1])  # a Table, or an Index / a constraint on one
    return getattr(table, "name", None), None


def _concerns_0010(diff: Any) -> bool:
    table, column = _where(diff)
    return table in OURS or (table, column) in COLUMNS


def _differences(conn: Connection, metadata: MetaData) -> list[Any]:
    context = MigrationContext.configure(conn, opts={"compare_type": True})
    return [d for d in compare_metadata(context, metadata) if _concerns_0010(d)]


async def test_migrated_schema_matches_the_models_and_the_stores(container: Container) -> None:
    stores = MetaData()
    SQLAlchemyInstallationStore.build_installations_table(stores, "slack_installations")
    SQLAlchemyInstallationStore.build_bots_table(stores, "slack_bots")
    SQLAlchemyOAuthStateStore.build_oauth_states_table(stores, "slack_oauth_states")
    async with container.engine.connect() as conn:
        assert await conn.run_sync(_differences, Base.metadata) == []
        store_diffs = await conn.run_sync(_differences, stores)
    # the stores' own metadata knows only their three tables: everything else is "extra"
    assert [d for d in store_diffs if d[0] != "remove_table"] == []
