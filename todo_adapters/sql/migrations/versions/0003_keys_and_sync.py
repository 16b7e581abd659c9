"""Idempotency keys, and what incremental sync needs: a stamp on every task write, tombstones
for deletions, and the triggers that keep both, whatever writes the table.

Stamps are in commit order where it matters. PostgreSQL: the writing transaction's id
(`pg_current_xact_id`); a sync never hands out a cursor past the oldest transaction still
running, so a write that commits later cannot fall behind a cursor. SQLite: a counter bumped by
each write under SQLite's single write lock, so counter order is commit order.

Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"

_POSTGRES_TRIGGERS = [
    """
    CREATE FUNCTION tasks_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.changed_in := pg_current_xact_id()::text::bigint;
        RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER tasks_stamp BEFORE INSERT OR UPDATE ON tasks
    FOR EACH ROW EXECUTE FUNCTION tasks_stamp()
    """,
    """
    CREATE FUNCTION tasks_tombstone() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO task_tombstones (task_id, user_id, stamp, deleted_at)
        VALUES (OLD.id, OLD.user_id, pg_current_xact_id()::text::bigint, now());
        RETURN OLD;
    END $$
    """,
    """
    CREATE TRIGGER tasks_tombstone AFTER DELETE ON tasks
    FOR EACH ROW EXECUTE FUNCTION tasks_tombstone()
    """,
]

_SQLITE_TICK = """
    UPDATE sync_state SET clock = clock + 1 WHERE id = 1;
"""
_SQLITE_STAMP = """
    UPDATE sync_state SET clock = clock + 1 WHERE id = 1;
    UPDATE tasks SET changed_in = (SELECT clock FROM sync_state WHERE id = 1) WHERE id = NEW.id;
"""
_SQLITE_TRIGGERS = [
    f"CREATE TRIGGER tasks_stamp_insert AFTER INSERT ON tasks BEGIN {_SQLITE_STAMP} END",
    # Only on the columns a write sets: the stamp's own UPDATE does not fire it again.
    "CREATE TRIGGER tasks_stamp_update AFTER UPDATE OF"
    " user_id, title, description, completed, created_at, updated_at, version"
    f" ON tasks BEGIN {_SQLITE_STAMP} END",
    f"""CREATE TRIGGER tasks_tombstone AFTER DELETE ON tasks BEGIN {_SQLITE_TICK}
    INSERT INTO task_tombstones (task_id, user_id, stamp, deleted_at)
    VALUES (
        OLD.id, OLD.user_id, (SELECT clock FROM sync_state WHERE id = 1),
        strftime('%Y-%m-%d %H:%M:%f', 'now') || '000'
    );
    END""",  # noqa: S608 (constant text)
]


def upgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("user_id", sa.String(length=255), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.Column("task_id", sa.BigInteger(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=True),
        sa.Column("completed", sa.Boolean(), nullable=False),
        sa.Column("task_created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("task_updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "key"),
    )
    op.create_index("ix_idempotency_keys_created_at", "idempotency_keys", ["created_at"])

    op.create_table(
        "task_tombstones",
        sa.Column("task_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.String(length=255), nullable=False),
        sa.Column("stamp", sa.BigInteger(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("task_id"),
    )
    op.create_index("ix_task_tombstones_user_id_stamp", "task_tombstones", ["user_id", "stamp"])
    op.create_index("ix_task_tombstones_deleted_at", "task_tombstones", ["deleted_at"])

    sync_state = op.create_table(
        "sync_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("clock", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("purged_through", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(sync_state, [{"id": 1, "clock": 0, "purged_through": 0}])

    # Tasks written before this revision carry stamp 0: a first sync has them, later ones
    # do not until they change.
    op.add_column(
        "tasks",
        sa.Column("changed_in", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
    )
    op.create_index("ix_tasks_user_id_changed_in", "tasks", ["user_id", "changed_in"])
    triggers = (
        _POSTGRES_TRIGGERS if op.get_bind().dialect.name == "postgresql" else _SQLITE_TRIGGERS
    )
    for statement in triggers:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER tasks_tombstone ON tasks")
        op.execute("DROP TRIGGER tasks_stamp ON tasks")
        op.execute("DROP FUNCTION tasks_tombstone()")
        op.execute("DROP FUNCTION tasks_stamp()")
    else:
        for name in ("tasks_tombstone", "tasks_stamp_update", "tasks_stamp_insert"):
            op.execute(f"DROP TRIGGER {name}")
    op.drop_index("ix_tasks_user_id_changed_in", table_name="tasks")
    with op.batch_alter_table("tasks", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_column("changed_in")
    op.drop_table("sync_state")
    op.drop_index("ix_task_tombstones_deleted_at", table_name="task_tombstones")
    op.drop_index("ix_task_tombstones_user_id_stamp", table_name="task_tombstones")
    op.drop_table("task_tombstones")
    op.drop_index("ix_idempotency_keys_created_at", table_name="idempotency_keys")
    op.drop_table("idempotency_keys")
