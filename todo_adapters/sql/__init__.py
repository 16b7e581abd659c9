"""Tasks in SQL: PostgreSQL (Neon, through psycopg 3) or SQLite, in both flavours.

`SqlTaskRepository` (sync, on a SQLAlchemy engine from `make_engine`) serves scripts and
workers; `AsyncSqlTaskRepository` (on psycopg's async pool, `Connections`) serves the event
loop. Both run the same statements on the same table, whose schema `migrate` brings up to date.

Each name is imported when first asked for: serving on PostgreSQL never loads SQLAlchemy,
which the sync side is built on.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from todo_adapters.sql.engine import make_engine, ping, wait_for_database
    from todo_adapters.sql.migrating import migrate
    from todo_adapters.sql.options import PoolOptions
    from todo_adapters.sql.pool import Connections
    from todo_adapters.sql.repository import SqlTaskRepository
    from todo_adapters.sql.repository_async import AsyncSqlTaskRepository

_HOMES = {
    "AsyncSqlTaskRepository": "repository_async",
    "Connections": "pool",
    "PoolOptions": "options",
    "SqlTaskRepository": "repository",
    "make_engine": "engine",
    "migrate": "migrating",
    "ping": "engine",
    "wait_for_database": "engine",
}
__all__ = [
    "AsyncSqlTaskRepository",
    "Connections",
    "PoolOptions",
    "SqlTaskRepository",
    "make_engine",
    "migrate",
    "ping",
    "wait_for_database",
]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_HOMES[name]}"), name)
