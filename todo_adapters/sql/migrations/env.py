"""Alembic's entry point: always handed a connection by `todo_adapters.sql.migrations`."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

from todo_adapters.sql import table  # noqa: F401  (registers the tasks table on the metadata)

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `todo-api migrate` or todo_adapters.sql.migrations")

context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters by copying tables
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
