"""How connections to PostgreSQL are opened and pooled, tuned for a database that suspends,
restarts and sits behind PgBouncer: one set of options for both the sync engine and the async
pool."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import psycopg
from sqlalchemy.engine import make_url

from todo_adapters.sql.urls import is_pooler

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
    # The longest one call may take, whatever the cause (DB_CALL_TIMEOUT_SECONDS).
    call_timeout_seconds: float = 10.0

    @property
    def tcp_user_timeout_ms(self) -> int:
        """A connection whose sent data goes unacknowledged this long (the host is gone) is
        closed by the kernel, instead of after TCP's ~15 minutes of retransmissions."""
        return int(self.call_timeout_seconds * 1000)


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
