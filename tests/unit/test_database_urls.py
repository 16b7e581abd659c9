"""How each URL Neon, the seed or a developer hands us becomes a psycopg connection: driver,
TLS options, pooler detection, prepared statements, timeouts. No network."""

from __future__ import annotations

import pytest
from psycopg.conninfo import conninfo_to_dict
from sqlalchemy.engine import make_url

from todo_adapters.sql.options import PoolOptions, connect_args_for, prepares_statements
from todo_adapters.sql.poolers import Route, known_route
from todo_adapters.sql.urls import driver_url, is_pooler, libpq_url, where

DIRECT = "ep-cool-darkness-123456.eu-central-1.aws.neon.tech"
POOLER = "ep-cool-darkness-123456-pooler.eu-central-1.aws.neon.tech"
TLS = "?sslmode=require&channel_binding=require"
LIBPQ_16, LIBPQ_17 = 160004, 170002


@pytest.mark.parametrize("scheme", ["postgres", "postgresql", "postgresql+psycopg"])
@pytest.mark.parametrize("host", [DIRECT, POOLER, "localhost:5433"])
@pytest.mark.parametrize("query", ["", "?sslmode=require", TLS])
def test_every_postgres_url_is_driven_by_psycopg_with_its_options(
    scheme: str, host: str, query: str
) -> None:
    given = f"{scheme}://alex:AbC123dEf@{host}/neondb{query}"
    url = make_url(driver_url(given))
    assert url.drivername == "postgresql+psycopg"
    assert (url.username, url.password, url.database) == ("alex", "AbC123dEf", "neondb")
    assert dict(url.query) == dict(make_url(given).query)
    assert is_pooler(given) == (host == POOLER)


@pytest.mark.parametrize(
    ("route", "setting", "libpq", "prepared"),
    [
        ("direct", "auto", LIBPQ_16, True),
        ("neon-pooler", "auto", LIBPQ_16, False),  # old libpq: statements would collide
        ("neon-pooler", "auto", LIBPQ_17, True),  # PgBouncer 1.22+ tracks what libpq 17 closes
        ("pooler", "auto", LIBPQ_17, False),  # found by asking: maybe PgBouncer < 1.21
        ("pooler", "on", LIBPQ_16, True),
        ("neon-pooler", "on", LIBPQ_16, True),
        ("direct", "off", LIBPQ_17, False),
    ],
)
def test_prepared_statements_follow_the_route_and_the_libpq_version(
    route: Route, setting: str, libpq: int, prepared: bool
) -> None:
    assert prepares_statements(route, setting, libpq) is prepared  # type: ignore[arg-type]
    host = POOLER if route == "neon-pooler" else DIRECT
    options = PoolOptions(prepared_statements=setting)  # type: ignore[arg-type]
    args = connect_args_for(f"postgresql://alex@{host}/neondb{TLS}", options, libpq, route)
    assert ("prepare_threshold" in args) is not prepared
    if not prepared:
        assert args["prepare_threshold"] is None


def test_the_neon_pooler_is_known_by_its_host_and_a_url_with_options_is_not_asked() -> None:
    assert known_route(f"postgresql://alex@{POOLER}/neondb", False) == "neon-pooler"
    assert known_route(f"postgresql://alex@{DIRECT}/neondb", True) == "direct"
    assert known_route(f"postgresql://alex@{DIRECT}/neondb", False) is None


def test_behind_a_pooler_found_by_asking_no_startup_option_is_sent() -> None:
    options = PoolOptions(statement_timeout_ms=2500)
    args = connect_args_for("postgresql://app@10.0.0.5:6432/app", options, route="pooler")
    assert "options" not in args
    assert args["prepare_threshold"] is None


def test_timeouts_become_connection_arguments() -> None:
    options = PoolOptions(connect_timeout_seconds=4, statement_timeout_ms=2500)
    direct = connect_args_for(f"postgresql://alex@{DIRECT}/neondb{TLS}", options)
    assert direct["connect_timeout"] == 4
    assert direct["tcp_user_timeout"] == 10_000
    assert direct["keepalives"] == 1
    assert direct["options"] == "-c statement_timeout=2500"
    pooled = connect_args_for(f"postgresql://alex@{POOLER}/neondb{TLS}", options)
    assert "options" not in pooled  # PgBouncer refuses startup options: set it on the role
    assert pooled["connect_timeout"] == 4
    assert "options" not in connect_args_for(
        f"postgresql://alex@{DIRECT}/neondb", PoolOptions(statement_timeout_ms=0)
    )


def test_what_the_url_says_wins() -> None:
    url = f"postgresql://alex@{DIRECT}/neondb?connect_timeout=9&options=-c%20search_path%3Dapp"
    args = connect_args_for(url + "&keepalives=0", PoolOptions())
    assert {"connect_timeout", "options", "keepalives"}.isdisjoint(args)
    assert args["tcp_user_timeout"] == 10_000


def test_sqlite_needs_no_connection_arguments() -> None:
    assert connect_args_for("sqlite:///./todo.db", PoolOptions()) == {}


@pytest.mark.parametrize("scheme", ["postgres", "postgresql", "postgresql+psycopg"])
def test_the_async_pool_gets_the_url_as_libpq_reads_it(scheme: str) -> None:
    """psycopg's own pool takes a libpq URL: no SQLAlchemy driver name, everything else kept."""
    url = libpq_url(f"{scheme}://alex:AbC123dEf@{POOLER}/neondb{TLS}")
    assert conninfo_to_dict(url) == conninfo_to_dict(
        f"postgresql://alex:AbC123dEf@{POOLER}/neondb{TLS}"
    )
    with pytest.raises(ValueError, match="PostgreSQL"):
        libpq_url("sqlite:///./todo.db")


def test_where_a_url_points_is_said_without_credentials() -> None:
    told = where(f"postgresql://alex:AbC123dEf@{POOLER}/neondb{TLS}")
    assert told == f"PostgreSQL at {POOLER}/neondb"
    assert where("sqlite:///./todo.db") == "SQLite file ./todo.db"
