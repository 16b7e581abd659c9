"""How connections to PostgreSQL are opened and pooled, tuned for a database that suspends,
restarts and sits behind PgBouncer: one set of options for both the sync engine and the async
pool."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import psycopg

from todo_adapters.sql.poolers import Route, known_route
from todo_adapters.sql.urls import is_postgres, query

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
    route: Route, setting: PreparedStatements = "auto", libpq_version: int | None = None
) -> bool:
    """Whether psycopg may prepare statements on this route (`on`/`off` force it).

    Directly to PostgreSQL, yes. Through Neon's pooler (PgBouncer 1.22+, which tracks them)
    only when libpq is 17 or newer (psycopg then closes them with the protocol message
    PgBouncer tracks). Through a pooler found by asking (its version unknown: PgBouncer
    before 1.21 does not track them at all), no: `on` is for one known to keep them
    (PgBouncer 1.21+ with `max_prepared_statements`, and libpq 17+).
    """
    if setting != "auto":
        return setting == "on"
    if route == "direct":
        return True
    if route == "pooler":
        return False
    version = psycopg.pq.version() if libpq_version is None else libpq_version
    return version >= LIBPQ_WITH_POOLER_PREPARE


def session_args(
    route: Route, pool: PoolOptions, libpq_version: int | None = None
) -> dict[str, Any]:
    """What a connection may carry on this route: the statement timeout as a startup option
    (no round trip per connection) only straight to PostgreSQL, as poolers refuse it (behind
    one, set it on the role: `ALTER ROLE ... SET statement_timeout`); prepared statements
    where the route keeps them."""
    args: dict[str, Any] = {}
    if pool.statement_timeout_ms and route == "direct":
        args["options"] = f"-c statement_timeout={pool.statement_timeout_ms}"
    if not prepares_statements(route, pool.prepared_statements, libpq_version):
        args["prepare_threshold"] = None
    return args


def connect_args_for(
    url: str, pool: PoolOptions, libpq_version: int | None = None, route: Route | None = None
) -> dict[str, Any]:
    """psycopg connection arguments; anything the URL itself sets wins. `route` is what
    asking the server found (`todo_adapters.sql.poolers`); unasked, what the URL tells."""
    if not is_postgres(url):
        return {}
    given = query(url)
    defaults = {
        "connect_timeout": pool.connect_timeout_seconds,
        "tcp_user_timeout": pool.tcp_user_timeout_ms,
        "keepalives": 1,  # idle connections to a vanished host are noticed in about a minute
        "keepalives_idle": 30,
        "keepalives_interval": 10,
        "keepalives_count": 3,
    }
    args: dict[str, Any] = {k: v for k, v in defaults.items() if k not in given}
    route = route or known_route(url, "options" in given) or "direct"
    session = session_args(route, pool, libpq_version)
    args.update({k: v for k, v in session.items() if k not in given})
    return args
