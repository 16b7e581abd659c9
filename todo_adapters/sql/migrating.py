"""Bringing a database's schema to the head, without loading Alembic when it is there.

A start on a current database, every restart of every replica, reads one row
(`alembic_version`) and never imports Alembic, Mako and their templates (a good part of a
cold start: the docs' performance page); only a start that finds a migration pending loads
them (`migrations`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from todo_adapters.sql.revision import at_head
from todo_adapters.sql.schema import Migrated, current_revision, migration_engine


def upgraded(engine: Engine) -> Migrated:
    """The schema brought to the head: at once when it is there, else through Alembic."""
    current = current_revision(engine)
    if at_head(current):
        return Migrated(current, current)
    from todo_adapters.sql.migrations import upgrade  # Alembic: only now

    return upgrade(engine)


def migrate(url: str, connect_args: dict[str, Any] | None = None) -> Migrated:
    """`upgraded` on a connection of its own to `url`: what `todo-api migrate` does."""
    engine = migration_engine(url, connect_args)
    try:
        return upgraded(engine)
    finally:
        engine.dispose()
