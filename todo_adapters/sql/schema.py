"""What the schema is at, told without Alembic: the database's own revision, and the engine
migrations run on (`migrating` uses them). The newest is `revision.HEAD_REVISION`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.pool import NullPool

from todo_adapters.sql.urls import driver_url


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


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at; None when it has none (empty, or never migrated).
    On SQLite, read without the migration engine's BEGIN IMMEDIATE: a read needs no write
    lock, and every start asks."""
    sqlite = engine.dialect.name == "sqlite"
    reader = create_engine(engine.url, poolclass=NullPool) if sqlite else engine
    try:
        with reader.connect() as connection:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except sa_exc.ProgrammingError:  # PostgreSQL: no such table
        return None
    except sa_exc.OperationalError as error:  # SQLite says "no such table" this way
        if "no such table" in str(error.orig):
            return None
        raise
    finally:
        if sqlite:
            reader.dispose()
