"""The database URLs users are handed (Neon's, the seed's, a local file), in the forms the
drivers want.

Read without SQLAlchemy, which the async PostgreSQL path never imports (a cold start's
cost: the docs' performance page). The fields are found by SQLAlchemy's own URL pattern, so
they are what `make_url` finds, and a URL changes only in its scheme (for libpq, its user and
password escaped afresh), so passwords, IPv6 hosts and libpq's query options reach the driver
as they were written.
"""

from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import parse_qsl, quote, unquote

_DRIVEN = ("postgresql+psycopg", "sqlite", "sqlite+pysqlite")
_PSYCOPG = "postgresql+psycopg"

_URL = re.compile(
    r"""
        (?P<name>[\w\+]+)://
        (?:
            (?P<username>[^:/]*)
            (?::(?P<password>[^@]*))?
        @)?
        (?:
            (?:
                \[(?P<ipv6host>[^/\?]+)\] |
                (?P<ipv4host>[^/:\?]+)
            )?
            (?::(?P<port>[^/\?]*))?
        )?
        (?:/(?P<database>[^\?]*))?
        (?:\?(?P<query>.*))?
    """,
    re.X,
)


class _Parts(NamedTuple):
    scheme: str
    host: str | None
    port: int | None
    database: str | None
    query: str | None

    @property
    def backend(self) -> str:
        return self.scheme.split("+", 1)[0]


def _parts(url: str) -> _Parts:
    """A URL's fields, found and decoded as SQLAlchemy's `make_url` finds them, so that a URL
    it refused is refused here too (an unreadable port raises ValueError as it does there)."""
    found = _URL.match(url)
    if found is None:
        raise ValueError("Could not parse database URL")
    fields = found.groupdict()
    port = fields["port"]
    return _Parts(
        scheme=fields["name"],
        host=fields["ipv4host"] or fields["ipv6host"],
        port=None if port is None else int(port),
        database=None if fields["database"] is None else unquote(fields["database"]),
        query=fields["query"],
    )


def _with_scheme(url: str, scheme: str) -> str:
    """Only the scheme changes: the rest reaches the driver byte for byte as written."""
    return f"{scheme}://{url.partition('://')[2]}"


def backend(url: str) -> str:
    """The database behind the driver: `postgresql` for `postgresql+psycopg`, but `postgres`
    for `postgres://` as SQLAlchemy names it (is_postgres takes both)."""
    return _parts(url).backend


def query(url: str) -> dict[str, str]:
    """The URL's query options as SQLAlchemy hands them to the driver: blank values left out;
    of a repeated option the last, which is the one libpq keeps."""
    raw = _parts(url).query
    return {} if raw is None else dict(parse_qsl(raw))


def sqlite_database(url: str) -> str | None:
    """The file a SQLite URL names; None for an in-memory database (`sqlite://`,
    `sqlite:///:memory:`) or a URL that is not SQLite."""
    parts = _parts(url)
    if parts.backend != "sqlite" or parts.database in (None, "", ":memory:"):
        return None
    return parts.database


def driver_url(url: str) -> str:
    """The SQLAlchemy URL: `postgres://` and `postgresql://` are driven by psycopg 3; query
    options such as `sslmode=require` and `channel_binding=require` pass through to libpq."""
    scheme = _parts(url).scheme
    if scheme in ("postgres", "postgresql"):
        return _with_scheme(url, _PSYCOPG)
    if scheme not in _DRIVEN:
        raise ValueError(f"unsupported database driver {scheme!r}")
    return url


def libpq_url(url: str) -> str:
    """The same PostgreSQL URL as libpq (and so psycopg's own pool) reads it. The user and
    password are escaped afresh: libpq splits them at the first `@` or `/` where SQLAlchemy
    (and so the sync engine and Alembic) takes the last `@`, and both must reach one server."""
    driven = driver_url(url)
    if backend(driven) != "postgresql":
        raise ValueError("not a PostgreSQL URL")
    found = _URL.match(driven)
    assert found is not None  # driver_url read it
    user, password = found.group("username"), found.group("password")
    if user is None:
        return _with_scheme(driven, "postgresql")
    userinfo = _escaped(user) + ("" if password is None else ":" + _escaped(password))
    after_at = found.end("username" if password is None else "password") + 1
    return f"postgresql://{userinfo}@{driven[after_at:]}"


def _escaped(part: str) -> str:
    """A user or password as libpq reads one back: every reserved character escaped."""
    return quote(unquote(part), safe="")


def is_postgres(url: str) -> bool:
    return backend(url) in ("postgres", "postgresql")


def is_pooler(url: str) -> bool:
    """Neon's pooled endpoint: `ep-name-123456-pooler.region.aws.neon.tech` (PgBouncer in
    transaction mode)."""
    host = _parts(url).host or ""
    return host.split(".", 1)[0].endswith("-pooler")


def where(url: str) -> str:
    """What a URL points at, for logs: the kind, host and database, never a user or password."""
    parts = _parts(url)
    if parts.backend == "sqlite":
        return f"SQLite file {parts.database or ':memory:'}"
    return f"PostgreSQL at {parts.host or 'localhost'}/{parts.database or ''}"
