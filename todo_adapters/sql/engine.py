"""SQLAlchemy engines (the sync flavour) for PostgreSQL through psycopg 3, and SQLite."""

from __future__ import annotations

import threading
import time
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection

from todo_adapters.sql.options import PoolOptions, connect_args_for
from todo_adapters.sql.poolers import ask, known_route
from todo_adapters.sql.urls import driver_url
from todo_adapters.sql.waiting import wait_until_reachable


def make_engine(url: str, pool: PoolOptions | None = None) -> Engine:
    """A pooled engine that checks connections before use and never echoes SQL, nor puts
    bound values (titles, owner ids) in the text of its errors, which may be logged.

    Connections are in autocommit mode: the repository runs one statement per call, which
    is atomic by itself, so BEGIN and COMMIT would be two round trips that buy nothing.
    """
    pool = pool or PoolOptions()
    url = driver_url(url)
    options: dict[str, Any] = {
        "echo": False,
        "hide_parameters": True,
        "isolation_level": "AUTOCOMMIT",
    }
    if make_url(url).get_backend_name() == "sqlite":
        options["connect_args"] = {"check_same_thread": False, "timeout": 30}
    else:
        options.update(
            pool_size=pool.size,
            max_overflow=pool.max_overflow,
            pool_timeout=pool.timeout_seconds,
            pool_pre_ping=pool.ping_after_idle_seconds <= 0,
            pool_recycle=pool.recycle_seconds,
            connect_args=connect_args_for(url, pool),
        )
    engine = create_engine(url, **options)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _tune_sqlite)
        return engine
    if known_route(url, "options" in make_url(url).query) is None:
        _ask_the_route_first(engine, url, pool)
    if pool.ping_after_idle_seconds > 0:
        _ping_when_idle(engine, pool.ping_after_idle_seconds)
    return engine


def _ask_the_route_first(engine: Engine, url: str, pool: PoolOptions) -> None:
    """Before the first connection, ask the server whether a pooler is in between
    (`todo_adapters.sql.poolers`); every connection then carries what that route allows."""
    settled: dict[str, Any] = {}
    asking = threading.Lock()  # threads opening their first connections at once ask once

    @event.listens_for(engine, "do_connect")
    def _connect(_dialect: Any, _record: Any, cargs: list[Any], cparams: dict[str, Any]) -> None:
        with asking:
            if not settled:
                unasked = ("options", "prepare_threshold")
                base = {k: v for k, v in cparams.items() if k not in unasked}
                route = ask(cargs[0] if cargs else "", base)
                settled.update(route=route, args=connect_args_for(url, pool, route=route))
        cparams.pop("options", None)
        cparams.pop("prepare_threshold", None)
        cparams.update(settled["args"])


def _ping_when_idle(engine: Engine, idle_seconds: float) -> None:
    """Pre-ping, but only connections that sat in the pool for `idle_seconds` or more.

    A ping is a full round trip (more to Neon than on loopback) on every request, while a
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


def wait_for_database(engine: Engine, timeout_seconds: float = 30) -> None:
    """Block until the database answers; after `timeout_seconds`, StorageUnavailable."""
    errors = (sa_exc.OperationalError, sa_exc.InterfaceError)
    wait_until_reachable(lambda: ping(engine), timeout_seconds, errors)


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
    # SQLite's own lower() folds ASCII only; searches fold case as Python (and PostgreSQL) do.
    dbapi_connection.create_function("lower", 1, _lower, deterministic=True)


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value
