"""Implementations of the todo_core ports: in memory, SQL (PostgreSQL/SQLite) and tokens."""
