"""Tasks in SQL: PostgreSQL (Neon, through psycopg 3) or SQLite, in both flavours.

`SqlTaskRepository` (sync, on a SQLAlchemy engine from `make_engine`) serves scripts and
workers; `AsyncSqlTaskRepository` (on psycopg's async pool, `Connections`) serves the event
loop. Both run the same statements on the same table, whose schema `migrate` brings up to date.
"""

from todo_adapters.sql.engine import make_engine, ping, wait_for_database
from todo_adapters.sql.migrating import migrate
from todo_adapters.sql.options import PoolOptions
from todo_adapters.sql.pool import Connections
from todo_adapters.sql.repository import SqlTaskRepository
from todo_adapters.sql.repository_async import AsyncSqlTaskRepository

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
