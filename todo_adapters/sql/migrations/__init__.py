"""The task store's schema history (Alembic), and the one function that brings a database to
its head, safely when several processes start at once."""

from __future__ import annotations

import logging

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

from todo_adapters.sql.schema import Migrated, migration_engine

__all__ = [
    "Migrated",
    "alembic_config",
    "downgrade",
    "head_revision",
    "migration_engine",
    "upgrade",
]

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


def downgrade(engine: Engine, revision: str) -> None:
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), revision)
