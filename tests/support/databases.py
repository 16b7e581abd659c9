"""Databases of the tests' own on the local PostgreSQL server, made and dropped per use.

TEST_DATABASE_URL names the server (default: the local one, user postgres, trust auth). Without
a server, PostgreSQL tests skip, unless TODO_REQUIRE_POSTGRES=1 (CI), where they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from sqlalchemy.engine import make_url

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


def require_postgres() -> bool:
    return os.environ.get("TODO_REQUIRE_POSTGRES") == "1"


def server_url() -> str:
    """The maintenance database of the test server, as libpq reads it."""
    server = os.environ.get("TEST_DATABASE_URL", DEFAULT_SERVER)
    return make_url(server).set(drivername="postgresql").render_as_string(hide_password=False)


def database_url(name: str, server: str | None = None, password: str | None = None) -> str:
    url = make_url(server or server_url()).set(database=name)
    if password is not None:
        url = url.set(password=password)
    return url.render_as_string(hide_password=False)


def create_database(prefix: str = "todo_test", server: str | None = None) -> str:
    """A new, empty database; its URL. Raises psycopg.OperationalError without a server."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server or server_url(), autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return database_url(name, server)


def recreate_database(name: str, server: str | None = None) -> str:
    """The database `name`, dropped if it existed and made anew, empty; its URL."""
    with psycopg.connect(server or server_url(), autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    return database_url(name, server)


def drop_database(url: str, server: str | None = None) -> None:
    name = make_url(url).database
    with psycopg.connect(server or server_url(), autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def temporary_database(prefix: str = "todo_test") -> Iterator[str]:
    url = create_database(prefix)
    try:
        yield url
    finally:
        drop_database(url)
