"""Engines for the URLs users are handed (Neon, the seed, a local file), tuned for a database
that suspends, restarts and sits behind PgBouncer."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any, Literal

import psycopg
import tenacity
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection

from todo_core.errors import StorageUnavailable

log = logging.getLogger(__name__)

PreparedStatements = Literal["auto", "on", "off"]
LIBPQ_WITH_POOLER_PREPARE = 170000  # libpq 17 closes prepared statements the PgBouncer way


@dataclass(frozen=True)
class PoolOptions:
    size: int = 10
    max_overflow: int = 10
    timeout_seconds: float = 5.0
    # Ping a pooled connection before use only if it sat idle this long; 0 pings every time.
    ping_after_idle_seconds: float = 1.0
    # Replace connections older than this: under Neon's 5-minute idle suspend.
    recycle_seconds: float = 240.0
    connect_timeout_seconds: int = 5
    statement_timeout_ms: int = 5_000  # 0: none
    prepared_statements: PreparedStatements = "auto"
    # A connection whose sent data goes unacknowledged this long (the host is gone) is closed
    # by the kernel, instead of after TCP's ~15 minutes of retransmissions.
    tcp_user_timeout_ms: int = 10_000


def is_pooler(url: str) -> bool:
    """Neon's pooled endpoint: `ep-name-123456-pooler.region.aws.neon.tech` (PgBouncer in
    transaction mode)."""
    host = make_url(url).host or ""
    return host.split(".", 1)[0].endswith("-pooler")


def prepares_statements(
    url: str, setting: PreparedStatements = "auto", libpq_version: int | None = None
) -> bool:
    """Whether psycopg may prepare statements on this connection.

    Through PgBouncer that is only safe when libpq is 17 or newer (psycopg then closes them
    with the protocol message PgBouncer tracks); with an older libpq, off. `on`/`off` force it.
    """
    if setting != "auto":
        return setting == "on"
    if not is_pooler(url):
        return True
    version = psycopg.pq.version() if libpq_version is None else libpq_version
    return version >= LIBPQ_WITH_POOLER_PREPARE


def connect_args_for(
    url: str, pool: PoolOptions, libpq_version: int | None = None
) -> dict[str, Any]:
    """psycopg connection arguments; anything the URL itself sets wins.

    The statement timeout is a startup option (no round trip per connection), which PgBouncer
    refuses: behind a pooler set it on the role instead (`ALTER ROLE ... SET statement_timeout`).
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return {}
    given = parsed.query
    defaults = {
        "connect_timeout": pool.connect_timeout_seconds,
        "tcp_user_timeout": pool.tcp_user_timeout_ms,
        "keepalives": 1,  # idle connections to a vanished host are noticed in about a minute
        "keepalives_idle": 30,
        "keepalives_interval": 10,
        "keepalives_count": 3,
    }
    args: dict[str, Any] = {k: v for k, v in defaults.items() if k not in given}
    if pool.statement_timeout_ms and "options" not in given and not is_pooler(url):
        args["options"] = f"-c statement_timeout={pool.statement_timeout_ms}"
    if not prepares_statements(url, pool.prepared_statements, libpq_version):
        args["prepare_threshold"] = None
    return args


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
            pool_recycle=pool.recycle_seconds,
            connect_args=connect_args_for(url, pool),
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


def wait_for_database(engine: Engine, timeout_seconds: float = 30) -> None:
    """Block until the database answers (a suspended Neon compute wakes in a few hundred
    milliseconds; a restarting one takes seconds), retrying with exponential backoff and
    jitter; after `timeout_seconds`, StorageUnavailable."""

    def retrying(state: tenacity.RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        pause = state.next_action.sleep if state.next_action else 0
        log.warning(
            "database not reachable (attempt %d: %s); retrying in %.1f s",
            state.attempt_number,
            type(error).__name__,
            pause,
        )

    attempts = tenacity.Retrying(
        stop=tenacity.stop_after_delay(timeout_seconds),
        wait=tenacity.wait_random_exponential(multiplier=0.25, max=5),
        retry=tenacity.retry_if_exception_type((sa_exc.OperationalError, sa_exc.InterfaceError)),
        before_sleep=retrying,
    )
    try:
        for attempt in attempts:
            with attempt:
                ping(engine)
    except tenacity.RetryError as failed:
        tries = failed.last_attempt.attempt_number
        raise StorageUnavailable(
            f"database not reachable after {tries} attempts in {timeout_seconds:g} s"
        ) from None


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
