"""The task store's schema history (Alembic), and the one function that brings a database to
its head, safely when several processes start at once."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.pool import NullPool

from todo_adapters.sql.urls import driver_url

log = logging.getLogger(__name__)

_MIGRATION_LOCK = 7_227_427_001  # any constant shared by every process migrating this schema


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration, in code: the scripts ship inside the package, no alembic.ini."""
    config = Config()
    config.set_main_option("script_location", "todo_adapters.sql:migrations")
    config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


@dataclass(frozen=True)
class Migrated:
    """What `upgrade` found and left: equal revisions mean there was nothing to do."""

    before: str | None
    after: str | None

    @property
    def changed(self) -> bool:
        return self.before != self.after


def migration_engine(url: str, connect_args: dict[str, Any] | None = None) -> Engine:
    """A one-connection engine whose transactions lock out other migrators.

    PostgreSQL: a transaction-scoped advisory lock, taken first, released by COMMIT; it works
    through PgBouncer's transaction pooling too, unlike a session lock. SQLite: BEGIN
    IMMEDIATE, SQLAlchemy's recipe for a write lock from the first statement.
    """
    engine = create_engine(driver_url(url), poolclass=NullPool, connect_args=connect_args or {})
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _no_implicit_begin(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _write_lock(connection: Connection) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def upgrade(engine: Engine, revision: str = "head") -> Migrated:
    """Apply pending migrations in one transaction, holding the migration lock: of several
    processes racing on an empty database one migrates, the others wait and find it done."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        before = MigrationContext.configure(connection).get_current_revision()
        command.upgrade(alembic_config(connection), revision)
        after = MigrationContext.configure(connection).get_current_revision()
    migrated = Migrated(before, after)
    if migrated.changed:
        log.info("database schema migrated from %s to %s", before or "empty", after)
    else:
        log.info("database schema already at %s", after)
    return migrated


def migrate(url: str, connect_args: dict[str, Any] | None = None) -> Migrated:
    """`upgrade` on a connection of its own to `url`: what `todo-api migrate` does."""
    engine = migration_engine(url, connect_args)
    try:
        return upgrade(engine)
    finally:
        engine.dispose()


def downgrade(engine: Engine, revision: str) -> None:
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), revision)
