"""What a user plans a task with: priority, tags, one due (a day or a moment) and the zone it
is planned in, a recurrence, a reminder, and when it was last completed; the same on a kept
idempotency outcome. Existing tasks get the defaults (medium, no tags, no due).

Beside them, what the domain derives for filters and orders (`writes.DERIVED`): the folded
tags (a GIN index on PostgreSQL answers `@>`), the due's day in its zone, the instant it
counts from (indexed with the owner and id for the `due` order and its pages), and the
instant an open task becomes overdue (a partial index of open tasks).

Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"

_PLANNED = ("priority", "tags", "due_date", "due_at", "time_zone", "recurrence", "remind_at")
_DERIVED = ("tag_keys", "due_day", "due_order", "overdue_at")


def _columns(postgres: bool) -> dict[str, sa.Column[object]]:
    """Every new column by name; lists are `text[]` on PostgreSQL, JSON text on SQLite."""
    moment = sa.DateTime(timezone=True)
    text_list = sa.ARRAY(sa.Text()) if postgres else sa.Text()
    empty = sa.text("'{}'") if postgres else sa.text("'[]'")
    return {
        "priority": sa.Column(
            "priority", sa.String(6), nullable=False, server_default=sa.text("'medium'")
        ),
        "tags": sa.Column("tags", text_list, nullable=False, server_default=empty),
        "due_date": sa.Column("due_date", sa.Date()),
        "due_at": sa.Column("due_at", moment),
        "time_zone": sa.Column("time_zone", sa.String(64)),
        "recurrence": sa.Column("recurrence", sa.Text()),
        "remind_at": sa.Column("remind_at", moment),
        "last_completed_at": sa.Column("last_completed_at", moment),
        "tag_keys": sa.Column("tag_keys", text_list, nullable=False, server_default=empty),
        "due_day": sa.Column("due_day", sa.Date()),
        "due_order": sa.Column("due_order", moment),
        "overdue_at": sa.Column("overdue_at", moment),
    }


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    columns = _columns(postgres)
    kept = [*_PLANNED, "last_completed_at"]
    # Added in place (SQLite too: a constant default), never by copying the table, which
    # would drop SQLite's triggers and AUTOINCREMENT.
    for name in [*kept, *_DERIVED]:
        op.add_column("tasks", columns[name])
    for name in kept:
        op.add_column("idempotency_keys", _columns(postgres)[name])
    op.create_index("ix_tasks_user_id_due_order_id", "tasks", ["user_id", "due_order", "id"])
    open_and_due = sa.text("NOT completed AND overdue_at IS NOT NULL")
    op.create_index(
        "ix_tasks_user_id_overdue_at",
        "tasks",
        ["user_id", "overdue_at"],
        postgresql_where=open_and_due,
        sqlite_where=open_and_due,
    )
    if postgres:
        op.create_index("ix_tasks_tag_keys", "tasks", ["tag_keys"], postgresql_using="gin")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_tasks_tag_keys", table_name="tasks")
    op.drop_index("ix_tasks_user_id_overdue_at", table_name="tasks")
    op.drop_index("ix_tasks_user_id_due_order_id", table_name="tasks")
    kept = [*_PLANNED, "last_completed_at"]
    for name in reversed(kept):
        op.drop_column("idempotency_keys", name)
    for name in reversed([*kept, *_DERIVED]):
        op.drop_column("tasks", name)
