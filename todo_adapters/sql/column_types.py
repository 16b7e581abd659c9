"""The column types of our own: timestamps kept in UTC, and lists of strings on a database
that has no arrays; and how a task's tags are read."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator, TypeEngine


class UtcDateTime(TypeDecorator[datetime]):
    """`timestamptz` on PostgreSQL; on SQLite (which has no zones) stored as UTC and read back
    as aware UTC, so no naive timestamp ever leaves the adapter."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: timestamps must be timezone-aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class TextList(TypeDecorator[tuple[str, ...]]):
    """A list of strings: `text[]` on PostgreSQL; a JSON array on SQLite, which has no
    arrays (read back as a tuple either way, as a Task holds its tags)."""

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(ARRAY(Text))
        return dialect.type_descriptor(Text())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None or dialect.name == "postgresql":
            return None if value is None else list(value)
        return json.dumps(list(value), ensure_ascii=False)

    def process_result_value(self, value: Any, dialect: Dialect) -> tuple[str, ...] | None:
        if value is None:
            return None
        return tuple(value if isinstance(value, list) else json.loads(value))


class tags_or_null(FunctionElement[tuple[str, ...]]):
    """A task's tags as read: on PostgreSQL NULL when it has none, which psycopg hands over as
    None without building an empty list for each such row (a long list's CPU: the docs'
    performance page); `rows.tasks_of` reads it back as no tags. SQLite's JSON text is read
    in Python either way, and is left as it is."""

    type = TextList()
    inherit_cache = True
    name = "tags_or_null"


@compiles(tags_or_null)
def _tags_as_stored(element: tags_or_null, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(tags_or_null, "postgresql")
def _tags_or_null(element: tags_or_null, compiler: SQLCompiler, **kw: Any) -> str:
    return f"NULLIF({compiler.process(element.clauses, **kw)}, '{{}}')"
