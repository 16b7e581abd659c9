"""Engines for the URLs users are handed (Neon, the seed, a local file) and the schema in them."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection
from sqlmodel import SQLModel

from todo_adapters import sql_schema  # noqa: F401  (registers the tasks table on the metadata)

_SCHEMA_LOCK = 7_227_427_001  # any constant: serialises concurrent start-ups on PostgreSQL


@dataclass(frozen=True)
class PoolOptions:
    size: int = 10
    max_overflow: int = 10
    timeout_seconds: float = 10.0
    # Ping a pooled connection before use only if it sat idle this long; 0 pings every time.
    ping_after_idle_seconds: float = 1.0


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
    """A pooled engine that checks connections before use and never echoes SQL.

    Connections are in autocommit mode: the repository runs one statement per call, which
    is atomic by itself, so BEGIN and COMMIT would be two round trips that buy nothing.
    """
    pool = pool or PoolOptions()
    url = driver_url(url)
    options: dict[str, Any] = {"echo": False, "isolation_level": "AUTOCOMMIT"}
    if make_url(url).get_backend_name() == "sqlite":
        options["connect_args"] = {"check_same_thread": False, "timeout": 30}
    else:
        options.update(
            pool_size=pool.size,
            max_overflow=pool.max_overflow,
            pool_timeout=pool.timeout_seconds,
            pool_pre_ping=pool.ping_after_idle_seconds <= 0,
        )
    engine = create_engine(url, **options)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _tune_sqlite)
    elif pool.ping_after_idle_seconds > 0:
        _ping_when_idle(engine, pool.ping_after_idle_seconds)
    return engine


def _ping_when_idle(engine: Engine, idle_seconds: float) -> None:
    """Pre-ping, but only connections that sat in the pool for `idle_seconds` or more.

    A ping is a full round trip (115 us on loopback, more to Neon) on every request, while a
    connection returned milliseconds ago is almost surely alive (HikariCP skips validation
    inside 500 ms for the same reason). Idle ones, which a suspended Neon compute or a
    restart may have dropped, are still checked, and a dead one is replaced before use:
    raising DisconnectionError at checkout makes the pool retry with a fresh connection.
    """

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi: Any, record: ConnectionPoolEntry) -> None:
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _check(dbapi: Any, record: ConnectionPoolEntry, _proxy: PoolProxiedConnection) -> None:
        returned = record.info.get("returned_at")
        if returned is None or time.monotonic() - returned < idle_seconds:
            return  # brand new, or in use a moment ago
        try:
            alive = engine.dialect.do_ping(dbapi)
        except engine.dialect.loaded_dbapi.Error as error:
            raise sa_exc.DisconnectionError("pooled connection failed its ping") from error
        if not alive:
            raise sa_exc.DisconnectionError("pooled connection failed its ping")


def create_schema(engine: Engine) -> None:
    """Create missing tables, once, even when several workers start together on an empty
    database: PostgreSQL serialises them with an advisory lock, SQLite with BEGIN IMMEDIATE."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            lock, unlock = "SELECT pg_advisory_lock(:key)", "SELECT pg_advisory_unlock(:key)"
        else:
            lock, unlock = "BEGIN IMMEDIATE", "COMMIT"
        connection.execute(text(lock), {"key": _SCHEMA_LOCK})
        try:
            SQLModel.metadata.create_all(connection)
        finally:
            connection.execute(text(unlock), {"key": _SCHEMA_LOCK})


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
