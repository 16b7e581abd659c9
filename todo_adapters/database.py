"""Kept so that code written against the first README keeps importing; new code imports from
`todo_adapters.sql`."""

from todo_adapters.sql.engine import make_engine, ping, wait_for_database
from todo_adapters.sql.options import PoolOptions

__all__ = ["PoolOptions", "make_engine", "ping", "wait_for_database"]
