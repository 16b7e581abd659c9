"""PostgreSQL's create, which takes a slot under the owner's task limit in the same statement
(SQLite's, under its single write lock, is `core.tasks.ADD`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Text,
    bindparam,
    cast,
    insert,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.types import TypeEngine

from todo_adapters.sql.core.tasks import BOUND, COLUMNS, NEW_ROW, postgres_text
from todo_adapters.sql.table import TASKS

# The owner's count row, locked and checked: a concurrent create waits for it, then sees the
# count the first one's trigger left (ON CONFLICT re-reads the newest row), so of creates
# racing at `limit - 1` exactly one goes in. Its own trigger then counts the task. `source`
# makes it conditional (the keyed write's `FROM go`).
SLOT = """slot AS MATERIALIZED (
    INSERT INTO task_counts (user_id, tasks) SELECT %(owner)s::text, 0 {source}
    ON CONFLICT (user_id) DO UPDATE SET tasks = task_counts.tasks
    WHERE task_counts.tasks < %(limit)s::bigint
    RETURNING 1
)"""
# What each bound value is cast to: psycopg sends some as untyped text.
_MOMENT = DateTime(timezone=True)
_CASTS: dict[str, TypeEngine[Any]] = {
    "completed": Boolean(),
    "tags": ARRAY(Text),
    "tag_keys": ARRAY(Text),
    "due_date": Date(),
    "due_day": Date(),
    **dict.fromkeys(
        ("due_at", "remind_at", "last_completed_at", "due_order", "overdue_at"), _MOMENT
    ),
}
SLOTTED_ADD = (
    insert(TASKS)
    .from_select(
        NEW_ROW,
        select(
            cast(bindparam("owner"), Text),
            *(cast(bindparam(name), _CASTS.get(name, Text())) for name in BOUND),
            cast(bindparam("now"), _MOMENT),
            cast(bindparam("now"), _MOMENT),
        ).where(literal_column("EXISTS (SELECT FROM slot)", Boolean)),
    )
    .returning(*COLUMNS)
)
POSTGRES_ADD = f"WITH {SLOT.format(source='')}\n{postgres_text(SLOTTED_ADD)}"
