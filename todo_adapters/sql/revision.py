"""The newest schema revision, and the one a PostgreSQL database is at, read over psycopg
alone. Every start asks, and a database at the head (the usual answer) needs nothing more: a
start then loads neither SQLAlchemy nor Alembic (the API's store loads `migrating` only when
it must)."""

from __future__ import annotations

import logging
from typing import Any, Final

import psycopg

from todo_adapters.sql.urls import libpq_url

# Held equal to Alembic's head by tests/contract/test_migrations.py: a new migration that
# forgets it fails there.
HEAD_REVISION: Final = "0006"
log = logging.getLogger("todo_adapters.sql.migrations")  # the line migrations' upgrade logs


def at_head(revision: str | None) -> bool:
    """Whether a database at `revision` needs no migration; one that does not is told."""
    if revision != HEAD_REVISION:
        return False
    log.info("database schema already at %s", revision)
    return True


async def postgres_revision(url: str, connect_args: dict[str, Any]) -> str | None:
    """The revision the database at `url` is at; None when it has none (never migrated).
    psycopg.OperationalError when it cannot be reached."""
    async with await psycopg.AsyncConnection.connect(
        libpq_url(url), autocommit=True, **connect_args
    ) as connection:
        try:
            cursor = await connection.execute("SELECT version_num FROM alembic_version")
        except psycopg.errors.UndefinedTable:
            return None
        row = await cursor.fetchone()
        return None if row is None else str(row[0])
