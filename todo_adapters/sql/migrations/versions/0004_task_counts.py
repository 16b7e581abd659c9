"""How many tasks each owner has, kept by triggers, so that a create can check the limit
(MAX_TASKS_PER_USER) exactly: on PostgreSQL the create locks its owner's count row, and a
concurrent create waits and then sees the count the first one left.

Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"

_COUNT_EXISTING = (
    "INSERT INTO task_counts (user_id, tasks) SELECT user_id, count(*) FROM tasks GROUP BY user_id"
)
_POSTGRES = [
    # No write may come between the count of existing tasks and the triggers taking over.
    "LOCK TABLE tasks IN SHARE ROW EXCLUSIVE MODE",
    _COUNT_EXISTING,
    """
    CREATE FUNCTION tasks_count() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            INSERT INTO task_counts (user_id, tasks) VALUES (NEW.user_id, 1)
            ON CONFLICT (user_id) DO UPDATE SET tasks = task_counts.tasks + 1;
            RETURN NEW;
        END IF;
        UPDATE task_counts SET tasks = tasks - 1 WHERE user_id = OLD.user_id;
        RETURN OLD;
    END $$
    """,
    """
    CREATE TRIGGER tasks_count AFTER INSERT OR DELETE ON tasks
    FOR EACH ROW EXECUTE FUNCTION tasks_count()
    """,
]
_SQLITE = [  # SQLite's single write lock: nothing comes between these either
    _COUNT_EXISTING,
    """CREATE TRIGGER tasks_count_insert AFTER INSERT ON tasks BEGIN
    INSERT INTO task_counts (user_id, tasks) VALUES (NEW.user_id, 1)
    ON CONFLICT (user_id) DO UPDATE SET tasks = tasks + 1;
    END""",
    """CREATE TRIGGER tasks_count_delete AFTER DELETE ON tasks BEGIN
    UPDATE task_counts SET tasks = tasks - 1 WHERE user_id = OLD.user_id;
    END""",
]


def upgrade() -> None:
    op.create_table(
        "task_counts",
        sa.Column("user_id", sa.String(length=255), nullable=False),
        sa.Column("tasks", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.PrimaryKeyConstraint("user_id"),
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in _POSTGRES if postgres else _SQLITE:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER tasks_count ON tasks")
        op.execute("DROP FUNCTION tasks_count()")
    else:
        op.execute("DROP TRIGGER tasks_count_delete")
        op.execute("DROP TRIGGER tasks_count_insert")
    op.drop_table("task_counts")
