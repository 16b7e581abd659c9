"""Engines for the URLs users are handed (Neon, the seed, a local file) and the schema in them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

from todo_adapters import sql_schema  # noqa: F401  (registers the tasks table on the metadata)

_SCHEMA_LOCK = 7_227_427_001  # any constant: serialises concurrent start-ups on PostgreSQL


@dataclass(frozen=True)
class PoolOptions:
    size: int = 10
    max_overflow: int = 10
    timeout_seconds: float = 10.0


def driver_url(url: str) -> str:
    """The SQLAlchemy URL for what Neon and the seed hand out.

    `postgres://` and `postgresql://` are driven by psycopg 3; query options such as
    `sslmode=require` and `channel_binding=require` pass through to libpq untouched.
    """
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    elif parsed.drivername not in ("postgresql+psycopg", "sqlite", "sqlite+pysqlite"):
        raise ValueError(f"unsupported database driver {parsed.drivername!r}")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str, pool: PoolOptions | None = None) -> Engine:
    """A pooled engine that checks connections before use and never echoes SQL."""
    pool = pool or PoolOptions()
    url = driver_url(url)
    options: dict[str, Any] = {"pool_pre_ping": True, "echo": False}
    if make_url(url).get_backend_name() == "sqlite":
        options["connect_args"] = {"check_same_thread": False, "timeout": 30}
    else:
        options.update(
            pool_size=pool.size, max_overflow=pool.max_overflow, pool_timeout=pool.timeout_seconds
        )
    engine = create_engine(url, **options)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _tune_sqlite)
    return engine


def create_schema(engine: Engine) -> None:
    """Create missing tables; on PostgreSQL under an advisory lock so that workers starting
    together on an empty database do not race each other's CREATE TABLE."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK})
        SQLModel.metadata.create_all(connection)


def ping(engine: Engine) -> None:
    """Round-trip to the database; raises if it cannot be reached."""
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run while one writer writes; NORMAL sync is durable in WAL mode.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
