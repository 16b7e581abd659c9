"""One owner's idempotency keys and sync tombstones, bounded like their tasks.

Every keyed write keeps a key (24 h) and every deletion a tombstone (30 days): at the default
write limit an owner could leave 864,000 rows a day that no task limit counts. Triggers now
count both per owner in `task_counts` (whatever writes them) and, past the store's bound
(`sync_state.keys_per_owner`, `tombstones_per_owner`: 10,000 each), forget the owner's oldest
at once, in the same transaction. Forgetting a tombstone early advances that owner's own
`purged_through`: only their sync cursors from before it expire (410), nobody else's.

The count row is locked by the insert that bumps it, so an owner's concurrent keyed writes
trim in turn and the bound is exact. Deletions (the hourly purge, a trim) are counted by
statement-level triggers, so purging a million rows costs one update per owner, not a million.

Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"

BOUND = 10_000  # todo_core's KEYS_PER_OWNER and TOMBSTONES_PER_OWNER when this was written

_COUNT_EXISTING = [
    # (WHERE true: SQLite's parser needs it before an upsert's ON CONFLICT)
    """INSERT INTO task_counts (user_id, tasks)
    SELECT user_id, 0 FROM (
        SELECT user_id FROM idempotency_keys UNION SELECT user_id FROM task_tombstones
    ) AS owners WHERE true
    ON CONFLICT (user_id) DO NOTHING""",
    """UPDATE task_counts SET
    keys = (SELECT count(*) FROM idempotency_keys AS k WHERE k.user_id = task_counts.user_id),
    tombstones = (
        SELECT count(*) FROM task_tombstones AS t WHERE t.user_id = task_counts.user_id
    )""",
]
# Before any DDL, every table a write touches, in the order writes take them: a write under
# way finishes first, later ones wait, and no write holds one of them while waiting for
# another this migration holds (the column changes below would lock task_counts first).
_LOCK_FOR_POSTGRES = (
    "LOCK TABLE tasks, task_counts, idempotency_keys, task_tombstones, sync_state"
    " IN ACCESS EXCLUSIVE MODE"
)
# One owner's rows deleted by a statement (the purge, a trim), counted down once per owner.
_FORGOTTEN = """
    CREATE FUNCTION {counted}_forgotten() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE task_counts AS c SET {counted} = c.{counted} - gone.n
        FROM (SELECT user_id, count(*) AS n FROM forgotten GROUP BY user_id) AS gone
        WHERE c.user_id = gone.user_id;
        RETURN NULL;
    END $$
    """
_POSTGRES = [
    *_COUNT_EXISTING,
    """
    CREATE FUNCTION keys_kept() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        kept bigint;
        bound bigint;
    BEGIN
        INSERT INTO task_counts (user_id, keys) VALUES (NEW.user_id, 1)
        ON CONFLICT (user_id) DO UPDATE SET keys = task_counts.keys + 1
        RETURNING keys INTO kept;
        SELECT keys_per_owner INTO bound FROM sync_state WHERE id = 1;
        IF kept > bound THEN
            DELETE FROM idempotency_keys WHERE user_id = NEW.user_id AND "key" IN (
                SELECT k."key" FROM idempotency_keys AS k WHERE k.user_id = NEW.user_id
                ORDER BY k.created_at, k."key" LIMIT kept - bound
            );
        END IF;
        RETURN NULL;
    END $$
    """,
    _FORGOTTEN.format(counted="keys"),
    """
    CREATE FUNCTION tombstones_kept() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        kept bigint;
        bound bigint;
        last_gone bigint;
    BEGIN
        INSERT INTO task_counts (user_id, tombstones) VALUES (NEW.user_id, 1)
        ON CONFLICT (user_id) DO UPDATE SET tombstones = task_counts.tombstones + 1
        RETURNING tombstones INTO kept;
        SELECT tombstones_per_owner INTO bound FROM sync_state WHERE id = 1;
        IF kept > bound THEN
            WITH gone AS (
                DELETE FROM task_tombstones WHERE task_id IN (
                    SELECT t.task_id FROM task_tombstones AS t WHERE t.user_id = NEW.user_id
                    ORDER BY t.stamp, t.task_id LIMIT kept - bound
                ) RETURNING stamp
            )
            SELECT max(stamp) INTO last_gone FROM gone;
            UPDATE task_counts SET purged_through = greatest(purged_through, last_gone)
            WHERE user_id = NEW.user_id;
        END IF;
        RETURN NULL;
    END $$
    """,
    _FORGOTTEN.format(counted="tombstones"),
    """CREATE TRIGGER keys_kept AFTER INSERT ON idempotency_keys
    FOR EACH ROW EXECUTE FUNCTION keys_kept()""",
    """CREATE TRIGGER keys_forgotten AFTER DELETE ON idempotency_keys
    REFERENCING OLD TABLE AS forgotten FOR EACH STATEMENT EXECUTE FUNCTION keys_forgotten()""",
    """CREATE TRIGGER tombstones_kept AFTER INSERT ON task_tombstones
    FOR EACH ROW EXECUTE FUNCTION tombstones_kept()""",
    """CREATE TRIGGER tombstones_forgotten AFTER DELETE ON task_tombstones
    REFERENCING OLD TABLE AS forgotten
    FOR EACH STATEMENT EXECUTE FUNCTION tombstones_forgotten()""",
]
# SQLite has no procedures: each trigger counts, then trims by a LIMIT that is 0 below the
# bound (max(0, ...): a negative LIMIT would mean no limit at all).
_SQLITE_OVER_KEYS = """max(0,
    (SELECT keys FROM task_counts WHERE user_id = NEW.user_id)
    - (SELECT keys_per_owner FROM sync_state WHERE id = 1))"""
_SQLITE_OVER_TOMBSTONES = """max(0,
    (SELECT tombstones FROM task_counts WHERE user_id = NEW.user_id)
    - (SELECT tombstones_per_owner FROM sync_state WHERE id = 1))"""
_SQLITE_OLDEST_TOMBSTONES = f"""SELECT task_id, stamp FROM task_tombstones
    WHERE user_id = NEW.user_id ORDER BY stamp, task_id LIMIT {_SQLITE_OVER_TOMBSTONES}"""  # noqa: S608
_SQLITE = [
    *_COUNT_EXISTING,
    f"""CREATE TRIGGER keys_kept AFTER INSERT ON idempotency_keys BEGIN
    INSERT INTO task_counts (user_id, keys) VALUES (NEW.user_id, 1)
    ON CONFLICT (user_id) DO UPDATE SET keys = keys + 1;
    DELETE FROM idempotency_keys WHERE user_id = NEW.user_id AND "key" IN (
        SELECT "key" FROM idempotency_keys WHERE user_id = NEW.user_id
        ORDER BY created_at, "key" LIMIT {_SQLITE_OVER_KEYS}
    );
    END""",  # noqa: S608 (constant text)
    """CREATE TRIGGER keys_forgotten AFTER DELETE ON idempotency_keys BEGIN
    UPDATE task_counts SET keys = keys - 1 WHERE user_id = OLD.user_id;
    END""",
    f"""CREATE TRIGGER tombstones_kept AFTER INSERT ON task_tombstones BEGIN
    INSERT INTO task_counts (user_id, tombstones) VALUES (NEW.user_id, 1)
    ON CONFLICT (user_id) DO UPDATE SET tombstones = tombstones + 1;
    UPDATE task_counts SET purged_through = max(
        purged_through,
        coalesce((SELECT max(stamp) FROM ({_SQLITE_OLDEST_TOMBSTONES})), 0)
    ) WHERE user_id = NEW.user_id;
    DELETE FROM task_tombstones WHERE task_id IN (
        SELECT task_id FROM ({_SQLITE_OLDEST_TOMBSTONES})
    );
    END""",  # noqa: S608 (constant text)
    """CREATE TRIGGER tombstones_forgotten AFTER DELETE ON task_tombstones BEGIN
    UPDATE task_counts SET tombstones = tombstones - 1 WHERE user_id = OLD.user_id;
    END""",
]
_TRIGGERS = {
    "keys_kept": "idempotency_keys",
    "keys_forgotten": "idempotency_keys",
    "tombstones_kept": "task_tombstones",
    "tombstones_forgotten": "task_tombstones",
}


_ADDED = {
    "task_counts": ("keys", "tombstones", "purged_through"),
    "sync_state": ("keys_per_owner", "tombstones_per_owner"),
}


def _counter(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger(), server_default=sa.text("0"), nullable=False)


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute(_LOCK_FOR_POSTGRES)
    for column in _ADDED["task_counts"]:
        op.add_column("task_counts", _counter(column))
    bound = sa.text(str(BOUND))
    for column in _ADDED["sync_state"]:
        op.add_column(
            "sync_state", sa.Column(column, sa.BigInteger(), server_default=bound, nullable=False)
        )
    op.create_index(
        "ix_idempotency_keys_user_id_created_at", "idempotency_keys", ["user_id", "created_at"]
    )
    for statement in _POSTGRES if postgres else _SQLITE:
        op.execute(statement)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for trigger, table in _TRIGGERS.items():
        op.execute(f"DROP TRIGGER {trigger} ON {table}" if postgres else f"DROP TRIGGER {trigger}")
        if postgres:
            op.execute(f"DROP FUNCTION {trigger}()")
    op.drop_index("ix_idempotency_keys_user_id_created_at", table_name="idempotency_keys")
    # In place (SQLite 3.35+): a batch copy would rename tables under 0003's triggers.
    for table, columns in _ADDED.items():
        for column in columns:
            op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
