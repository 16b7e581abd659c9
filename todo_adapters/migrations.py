"""Kept so that code written against the first README keeps importing; new code imports from
`todo_adapters.sql`."""

from todo_adapters.sql.migrations import migrate

__all__ = ["migrate"]
