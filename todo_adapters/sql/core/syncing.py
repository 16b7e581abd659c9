"""The statements behind `syncing`'s names: tasks by the stamp of their last write,
tombstones by their deletion's (both set by triggers, migration 0003), the stamp the next
sync starts from, and the purge."""

from __future__ import annotations

from sqlalchemy import bindparam, delete, literal_column, select, union, update
from sqlalchemy.sql import func

from todo_adapters.sql.core.tasks import COLUMNS
from todo_adapters.sql.table import COUNTS, KEYS, SYNC_STATE, TASKS, TOMBSTONES

_tasks, _tombstones, _sync, _counts, _keys = TASKS, TOMBSTONES, SYNC_STATE, COUNTS, KEYS

CHANGED = (
    select(*COLUMNS)
    .where(_tasks.c.user_id == bindparam("owner"), _tasks.c.changed_in >= bindparam("stamp"))
    .order_by(_tasks.c.id)
)
DELETED = (
    select(_tombstones.c.task_id)
    .where(_tombstones.c.user_id == bindparam("owner"), _tombstones.c.stamp >= bindparam("stamp"))
    .order_by(_tombstones.c.task_id)
)
# The last stamp of the owner's tombstones forgotten past their bound (migration 0005).
_owner_purged = (
    select(func.coalesce(func.max(_counts.c.purged_through), literal_column("0")))
    .where(_counts.c.user_id == bindparam("owner"))
    .scalar_subquery()
)
# SQLite: writes are serialised, so every write committed so far has a stamp up to `clock`.
SQLITE_HORIZON = select(
    _sync.c.clock + literal_column("1"), _sync.c.purged_through, _owner_purged
).where(_sync.c.id == literal_column("1"))
# PostgreSQL: no transaction older than the snapshot's xmin is still running, so a write that
# commits later has a stamp (its transaction id) of at least xmin.
POSTGRES_HORIZON = select(
    literal_column("pg_snapshot_xmin(pg_current_snapshot())::text::bigint"),
    _sync.c.purged_through,
    _owner_purged,
).where(_sync.c.id == literal_column("1"))
_purged = (
    select(func.max(_tombstones.c.stamp))
    .where(_tombstones.c.deleted_at < bindparam("tombstones_before"))
    .scalar_subquery()
)
# The purge's first step: the count rows of every owner it will forget something of, locked
# in one order. Its deletions' triggers update those rows (migration 0005), and a write locks
# its owner's row before it trims that owner's oldest rows: taking the rows first, the purge
# waits for such a write, or the write for the purge, never each for the other (a deadlock).
# SQLite serialises writes: there it compiles to a plain read.
_purged_owners = union(
    select(_keys.c.user_id).where(_keys.c.created_at < bindparam("keys_before")),
    select(_tombstones.c.user_id).where(_tombstones.c.deleted_at < bindparam("tombstones_before")),
).subquery()
LOCK_PURGED_OWNERS = (
    select(_counts.c.user_id)
    .where(_counts.c.user_id.in_(select(_purged_owners.c.user_id)))
    .order_by(_counts.c.user_id)
    .with_for_update()
)
# The last purged stamp first: a cursor at or before it is refused from then on.
ADVANCE_PURGED = (
    update(_sync)
    .where(_sync.c.id == literal_column("1"), _sync.c.purged_through < _purged)
    .values(purged_through=_purged)
)
PURGE_TOMBSTONES = delete(_tombstones).where(
    _tombstones.c.deleted_at < bindparam("tombstones_before")
)
