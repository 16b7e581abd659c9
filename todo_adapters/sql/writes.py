"""Writes (`todo_core.writes`) as the statements that make them, and PostgreSQL's create,
which takes a slot under the owner's task limit in the same statement."""

from __future__ import annotations

from sqlalchemy import Boolean, DateTime, Text, bindparam, cast, insert, literal_column, select

from todo_adapters.sql import statements
from todo_adapters.sql.statements import COLUMNS, Statement, Values, postgres_text
from todo_adapters.sql.table import TASKS
from todo_core.writes import Add, Change, Remove, Toggle, Write

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
        statements.NEW_ROW,
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


def statement_of(owner: str, write: Write, postgres: bool) -> tuple[Statement, Values]:
    """The one statement that makes `write`, and its values; it returns the task as written
    (a removal: as it was), or no row when the write did not happen."""
    values: Values = {"owner": owner}
    match write:
        case Add(new, now, limit):
            values.update(title=new.title, description=new.description, now=now)
            values.update(
                completed=new.completed, limit=statements.UNLIMITED if limit is None else limit
            )
            return (POSTGRES_ADD if postgres else statements.ADD), values
        case Change(task_id, changes, now, expected):
            values.update(task_id=task_id, now=now, expected=expected)
            values.update({f"new_{name}": value for name, value in changes.values().items()})
            return statements.CHANGE[changes.fields, expected is not None], values
        case Toggle(task_id, now, expected):
            values.update(task_id=task_id, now=now, expected=expected)
            return statements.TOGGLE[expected is not None], values
        case Remove(task_id, expected):
            values.update(task_id=task_id, expected=expected)
            return statements.REMOVE[expected is not None], values
