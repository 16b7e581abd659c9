"""`todo-api migrate`, and a start that finds the schema behind: Alembic on its own engine."""

from __future__ import annotations

from dataclasses import replace

from todo_adapters.sql.engine import wait_for_database
from todo_adapters.sql.migrating import upgraded
from todo_adapters.sql.options import connect_args_for
from todo_adapters.sql.schema import Migrated, migration_engine
from todo_api.settings import Settings


def migrate(settings: Settings) -> Migrated:
    """Bring the schema to the newest revision, over MIGRATIONS_DATABASE_URL when set."""
    url = settings.effective_migrations_url
    no_timeout = replace(settings.pool_options, statement_timeout_ms=0)  # DDL may take a while
    engine = migration_engine(url, connect_args_for(url, no_timeout))
    try:  # the direct host may still be waking up when the pooled one already answers
        wait_for_database(engine, settings.db_startup_timeout_seconds)
        return upgraded(engine)
    finally:
        engine.dispose()
