"""The database URLs users are handed (Neon's, the seed's, a local file), in the forms the
drivers want."""

from __future__ import annotations

from sqlalchemy.engine import make_url

_DRIVEN = ("postgresql+psycopg", "sqlite", "sqlite+pysqlite")


def driver_url(url: str) -> str:
    """The SQLAlchemy URL: `postgres://` and `postgresql://` are driven by psycopg 3; query
    options such as `sslmode=require` and `channel_binding=require` pass through to libpq."""
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    elif parsed.drivername not in _DRIVEN:
        raise ValueError(f"unsupported database driver {parsed.drivername!r}")
    return parsed.render_as_string(hide_password=False)


def libpq_url(url: str) -> str:
    """The same PostgreSQL URL as libpq (and so psycopg's own pool) reads it."""
    parsed = make_url(driver_url(url))
    if parsed.get_backend_name() != "postgresql":
        raise ValueError("not a PostgreSQL URL")
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def is_postgres(url: str) -> bool:
    return make_url(url).get_backend_name() in ("postgres", "postgresql")


def is_pooler(url: str) -> bool:
    """Neon's pooled endpoint: `ep-name-123456-pooler.region.aws.neon.tech` (PgBouncer in
    transaction mode)."""
    host = make_url(url).host or ""
    return host.split(".", 1)[0].endswith("-pooler")


def where(url: str) -> str:
    """What a URL points at, for logs: the kind, host and database, never a user or password."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"SQLite file {parsed.database or ':memory:'}"
    return f"PostgreSQL at {parsed.host or 'localhost'}/{parsed.database or ''}"
