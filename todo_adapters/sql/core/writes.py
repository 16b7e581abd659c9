"""PostgreSQL's create, which takes a slot under the owner's task limit in the same statement
(SQLite's, under its single write lock, is `core.tasks.ADD`)."""

from __future__ import annotations

from sqlalchemy import Boolean, DateTime, Text, bindparam, cast, insert, literal_column, select

from todo_adapters.sql.core.tasks import COLUMNS, NEW_ROW, postgres_text
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
SLOTTED_ADD = (
    insert(TASKS)
    .from_select(
        NEW_ROW,
        select(
            cast(bindparam("owner"), Text),
            cast(bindparam("title"), Text),
            cast(bindparam("description"), Text),
            cast(bindparam("completed"), Boolean),
            cast(bindparam("now"), DateTime(timezone=True)),
            cast(bindparam("now"), DateTime(timezone=True)),
        ).where(literal_column("EXISTS (SELECT FROM slot)", Boolean)),
    )
    .returning(*COLUMNS)
)
POSTGRES_ADD = f"WITH {SLOT.format(source='')}\n{postgres_text(SLOTTED_ADD)}"
