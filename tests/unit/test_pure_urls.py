"""Database URLs are read without SQLAlchemy (which a cold start on PostgreSQL no longer
imports), yet as SQLAlchemy reads them: for every URL Neon, the seed or a developer may hand
us, each helper agrees with `make_url`, and the URL reaches the driver as written but for its
scheme (and, for libpq, a user and password escaped afresh)."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from psycopg.conninfo import conninfo_to_dict
from sqlalchemy.engine import URL, make_url

from todo_adapters.sql.options import PoolOptions, connect_args_for
from todo_adapters.sql.urls import (
    backend,
    driver_url,
    is_pooler,
    is_postgres,
    libpq_url,
    query,
    sqlite_database,
    where,
)
from todo_api.resources.dev_secret import dev_secret_path

POOLER = "ep-cool-123456-pooler.us-east-2.aws.neon.tech"
DIRECT = "ep-cool-123456.us-east-2.aws.neon.tech"
LIBPQ_OPTIONS = ("sslmode", "channel_binding", "connect_timeout", "application_name", "options")

escaped = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12).map(
    lambda text: quote(text, safe="")
)
hosts = st.one_of(
    st.sampled_from(["", "localhost", "127.0.0.1", POOLER, DIRECT, "[::1]", "[2001:db8::5]"]),
    st.from_regex(r"[a-z][a-z0-9-]{0,10}(-pooler)?(\.[a-z0-9]{1,6}){0,3}", fullmatch=True),
)
# As a user pastes them: unescaped `@`, `/`, `?`, `#` that libpq would split at.
raw_users = st.text(alphabet="ab@!$*?#", min_size=1, max_size=6)
raw_passwords = st.text(alphabet="cd/?#!$*:", max_size=6)
userinfos = st.one_of(
    st.just(""),
    st.builds(lambda user: f"{user}@", escaped),
    st.builds(lambda user, password: f"{user}:{password}@", escaped, escaped),
    st.builds(lambda user, password: f"{user}:{password}@", raw_users, raw_passwords),
)
ports = st.one_of(st.just(""), st.integers(1, 65535).map(lambda port: f":{port}"))
databases = st.one_of(st.just(""), escaped.map(lambda name: f"/{name}"))
options = st.lists(st.tuples(st.sampled_from(LIBPQ_OPTIONS), escaped), max_size=4)
queries = options.map(lambda pairs: "?" + "&".join(f"{k}={v}" for k, v in pairs) if pairs else "")

postgres_urls = st.builds(
    "{}://{}{}{}{}{}".format,
    st.sampled_from(["postgres", "postgresql", "postgresql+psycopg"]),
    userinfos,
    hosts,
    ports,
    databases,
    queries,
)
sqlite_files = st.from_regex(r"[A-Za-z0-9._-]{1,8}(/[A-Za-z0-9._%-]{1,8}){0,3}", fullmatch=True)
sqlite_urls = st.builds(
    "{}://{}{}".format,
    st.sampled_from(["sqlite", "sqlite+pysqlite"]),
    st.one_of(
        st.sampled_from(["", "/", "/:memory:"]),
        sqlite_files.map(lambda path: f"/{path}"),
        sqlite_files.map(lambda path: f"//{path}"),
    ),
    st.sampled_from(["", "?mode=ro", "?timeout=30&uri=true"]),
)
UNSUPPORTED = ["mysql", "postgresql+psycopg2", "postgresql+asyncpg", "sqlite+aiosqlite", "mssql"]


def fields(url: URL) -> tuple[Any, ...]:
    return url.drivername, url.username, url.password, url.host, url.port, url.database, url.query


def last_values(url: URL) -> dict[str, str]:
    """SQLAlchemy keeps every value of a repeated option; libpq, and `query`, the last."""
    return {k: v[-1] if isinstance(v, tuple) else v for k, v in url.query.items()}


def told_by_sqlalchemy(url: URL) -> str:
    """What `where` said when it read the URL with SQLAlchemy."""
    if url.get_backend_name() == "sqlite":
        return f"SQLite file {url.database or ':memory:'}"
    return f"PostgreSQL at {url.host or 'localhost'}/{url.database or ''}"


def read_by_libpq(text: str) -> dict[str, str]:
    """The connection parameters SQLAlchemy's fields stand for, as libpq takes them: a blank
    value counts (it may override an earlier one), and empty parameters are no parameters."""
    url = make_url(text, keep_blank_values=True)
    named = {
        "user": url.username,
        "password": url.password,
        "host": url.host,
        "port": None if url.port is None else str(url.port),
        "dbname": url.database,
    }
    return {k: v for k, v in {**named, **last_values(url)}.items() if v}


def the_rest(url: str) -> str:
    return url.partition("://")[2]


@given(postgres_urls)
@example(
    f"postgres://alex:p%40ss%2Fw%3Ard%20@{POOLER}/neondb?sslmode=require&channel_binding=require"
)
@example("postgresql://a%3Ab:c%25d@[2001:db8::5]:6432/d%2Fb?options=-c%20search_path%3Dapp")
@example("postgresql://u@h/db?sslmode=&sslmode=require&sslmode=verify-full")
@example("postgresql://u:pa/ss@h/db")
@example("postgresql://a@b@h/db")
def test_postgres_urls_are_read_as_sqlalchemy_reads_them(url: str) -> None:
    parsed = make_url(url)
    driven = driver_url(url)
    assert driven == f"postgresql+psycopg://{the_rest(url)}"
    assert fields(make_url(driven)) == fields(parsed.set(drivername="postgresql+psycopg"))
    conninfo = libpq_url(url)
    assert conninfo.endswith(the_rest(url).rpartition("@")[2])  # past the user: as written
    assert fields(make_url(conninfo)) == fields(parsed.set(drivername="postgresql"))
    assert {k: v for k, v in conninfo_to_dict(conninfo).items() if v} == read_by_libpq(url)
    assert backend(url) == parsed.get_backend_name()
    assert is_postgres(url)
    assert is_pooler(url) == (parsed.host or "").split(".", 1)[0].endswith("-pooler")
    assert where(url) == told_by_sqlalchemy(parsed)
    assert query(url) == last_values(parsed)
    assert sqlite_database(url) is None
    assert dev_secret_path(url) == Path(".todo-dev-secret")
    assert set(connect_args_for(driven, PoolOptions(), 170000)).isdisjoint(parsed.query)
    # Whichever PostgreSQL scheme it came in, the connection gets its timeouts and keepalives.
    assert connect_args_for(url, PoolOptions(), 170000) == connect_args_for(
        driven, PoolOptions(), 170000
    )


@given(sqlite_urls)
@example("sqlite://")
@example("sqlite:///:memory:")
@example("sqlite:///my%20file.db?mode=ro")
def test_sqlite_urls_are_read_as_sqlalchemy_reads_them(url: str) -> None:
    parsed = make_url(url)
    assert driver_url(url) == url
    assert fields(make_url(driver_url(url))) == fields(parsed)
    with pytest.raises(ValueError, match="not a PostgreSQL URL"):
        libpq_url(url)
    assert backend(url) == parsed.get_backend_name() == "sqlite"
    assert not is_postgres(url)
    assert not is_pooler(url)
    assert where(url) == told_by_sqlalchemy(parsed)
    assert query(url) == last_values(parsed)
    kept = parsed.database not in (None, "", ":memory:")
    assert sqlite_database(url) == (parsed.database if kept else None)
    secret = Path(f"{parsed.database}.dev-secret") if kept else Path(".todo-dev-secret")
    assert dev_secret_path(url) == secret
    assert connect_args_for(url, PoolOptions()) == {}


def outcome(read: Callable[[], object]) -> object:
    try:
        return read()
    except ValueError:
        return ValueError


url_like = st.text(alphabet="ab-pooler.:/@?[]=&%2F+ #", max_size=40)


@given(
    st.sampled_from(["postgresql", "sqlite", "mysql"]), st.one_of(url_like, st.text(max_size=40))
)
@example("postgresql", "h:/db")
@example("postgresql", "[::1/db")
@example("postgresql", "a@b@h:5432/db#x?y=1&y=2")
def test_whatever_follows_the_scheme_both_read_alike_or_both_refuse(scheme: str, rest: str) -> None:
    url = f"{scheme}://{rest}"

    def by_sqlalchemy() -> tuple[object, ...]:
        parsed = make_url(url)
        pooled = (parsed.host or "").split(".", 1)[0].endswith("-pooler")
        return parsed.get_backend_name(), pooled, told_by_sqlalchemy(parsed), last_values(parsed)

    def by_us() -> tuple[object, ...]:
        return backend(url), is_pooler(url), where(url), query(url)

    assert outcome(by_us) == outcome(by_sqlalchemy)


@pytest.mark.parametrize("scheme", UNSUPPORTED)
def test_other_drivers_are_refused_by_name(scheme: str) -> None:
    with pytest.raises(ValueError, match=rf"^unsupported database driver '{re.escape(scheme)}'$"):
        driver_url(f"{scheme}://u:secret@h/db")
    with pytest.raises(ValueError, match="unsupported database driver"):
        libpq_url(f"{scheme}://u:secret@h/db")
    assert backend(f"{scheme}://u:secret@h/db") == make_url(f"{scheme}://h").get_backend_name()


@pytest.mark.parametrize("url", ["nonsense", "://h/db", "postgres-ql://h/db", ""])
def test_what_is_no_url_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match="Could not parse"):
        driver_url(url)


def test_libpq_reads_the_options_as_written() -> None:
    """Re-rendered by SQLAlchemy, `%20` became `+`, which libpq keeps as a plus sign."""
    url = f"postgresql://alex@{DIRECT}/neondb?options=-c%20search_path%3Dapp&sslmode=require"
    assert conninfo_to_dict(libpq_url(url))["options"] == "-c search_path=app"


@pytest.mark.parametrize(
    ("url", "told"),
    [
        ("sqlite://", "SQLite file :memory:"),
        ("sqlite:///:memory:", "SQLite file :memory:"),
        ("sqlite:///rel.db", "SQLite file rel.db"),
        ("sqlite:////abs/x.db?mode=ro", "SQLite file /abs/x.db"),
        ("postgresql:///neondb", "PostgreSQL at localhost/neondb"),
        ("postgres://alex:secret@[::1]:5433/app?sslmode=require", "PostgreSQL at ::1/app"),
    ],
)
def test_where_names_the_place_never_the_credentials(url: str, told: str) -> None:
    assert where(url) == told


def test_postgres_is_named_as_sqlalchemy_names_it() -> None:
    assert backend("postgres://h/db") == "postgres"
    assert backend("postgresql+psycopg://h/db") == "postgresql"
    assert is_postgres("postgres://h/db")
    assert is_pooler(f"postgres://alex@{POOLER}:5432/neondb")
    assert not is_pooler(f"postgres://alex@{DIRECT}/neondb")


def test_reading_urls_imports_no_sqlalchemy() -> None:
    root = Path(__file__).resolve().parents[2]
    probe = (
        "import sys, todo_adapters.sql.urls, todo_adapters.sql.options, "
        "todo_api.resources.dev_secret; "
        "assert 'sqlalchemy' not in sys.modules, [m for m in sys.modules if 'sqlalchemy' in m]"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=root, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
