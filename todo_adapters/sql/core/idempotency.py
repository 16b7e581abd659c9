"""The statements behind `idempotency`'s names, and PostgreSQL's one keyed statement around
a write (`keyed_text`):
- `lock`: a transaction-scoped advisory lock on (owner, key), tried, never waited for;
- `prior`: the outcome kept under the key, if fresh: then nothing is written (a replay);
- `slot` (a create only): the owner's task count, locked, and below the limit;
- `written`: the ordinary write, guarded by `go` (lock held, no prior), a create by `slot`;
- `kept`: the outcome inserted under the key, only if the write happened.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Delete, Update, bindparam, delete, insert, literal_column, select
from sqlalchemy.sql import Executable

from todo_adapters.sql.core import tasks
from todo_adapters.sql.core.tasks import postgres_text
from todo_adapters.sql.core.writes import SLOT, SLOTTED_ADD
from todo_adapters.sql.idempotency import KEPT_TASK, write_of
from todo_adapters.sql.statements import Statement
from todo_adapters.sql.table import KEYS
from todo_adapters.sql.writes import parts_of

_keys = KEYS
_this_key = (_keys.c.user_id == bindparam("owner")) & (_keys.c.key == bindparam("key"))
_kept_task = [_keys.c[column] for column in KEPT_TASK.values()]  # in Task's field order

KEPT = select(_keys.c.fingerprint, _keys.c.removed, *_kept_task).where(
    _this_key, _keys.c.created_at >= bindparam("fresh_after")
)
# An expired key still on record, before the key is used afresh.
FORGET_EXPIRED_KEY = delete(_keys).where(_this_key, _keys.c.created_at < bindparam("fresh_after"))
KEEP = insert(_keys).values(
    key=bindparam("key"),
    fingerprint=bindparam("fingerprint"),
    created_at=bindparam("at"),
    removed=bindparam("removed"),
    **{column: bindparam(column) for column in KEPT_TASK.values()},
)
PURGE_KEYS = delete(_keys).where(_keys.c.created_at < bindparam("keys_before"))


def keyed_text(name: Statement) -> str:
    """The keyed statement (`idempotency.keyed_name`) around the plain write it names."""
    kind, _ = parts_of(write_of(name))
    adding, removal = kind == "add", kind == "remove"
    write = postgres_text(SLOTTED_ADD if adding else _guarded(tasks.write(write_of(name))))
    slot = f"{SLOT.format(source='FROM go')}, " if adding else ""
    written = ", ".join(f"w.{field}" for field in KEPT_TASK)  # tasks' columns are Task's fields
    # A write returns no tags as NULL (`column_types.tags_or_null`); a key keeps them as stored.
    kept = written.replace("w.tags", "COALESCE(w.tags, '{}')")
    prior = ", ".join(f"k.{column}" for column in KEPT_TASK.values())
    columns = ", ".join(KEPT_TASK.values())
    removed = str(removal).upper()
    nothing = ", ".join(["NULL"] * (len(KEPT_TASK) + 2))
    # Built from our own compiled statements and column names only: every value is bound.
    return f"""
WITH lock AS MATERIALIZED (
    SELECT pg_try_advisory_xact_lock(%(lock_id)s) AS free
), prior AS MATERIALIZED (
    SELECT k.fingerprint, k.removed, {prior}
    FROM idempotency_keys AS k, lock
    WHERE lock.free AND k.user_id = %(owner)s::text AND k."key" = %(key)s::text
      AND k.created_at >= %(fresh_after)s::timestamptz
), go AS MATERIALIZED (
    SELECT FROM lock WHERE lock.free AND NOT EXISTS (SELECT FROM prior)
), {slot}written AS (
    {write}
), kept AS (
    INSERT INTO idempotency_keys ("key", fingerprint, created_at, removed, {columns})
    SELECT %(key)s::text, %(fingerprint)s::text, %(at)s::timestamptz, {removed}, {kept}
    FROM written AS w
)
SELECT 'written', NULL, {removed}, {written} FROM written AS w
UNION ALL
SELECT 'replayed', k.fingerprint, k.removed, {prior} FROM prior AS k
UNION ALL
SELECT 'busy', {nothing} FROM lock WHERE NOT lock.free
"""  # noqa: S608


def _guarded(statement: Executable) -> Update | Delete:
    """The write, made only when `go` has its row."""
    assert isinstance(statement, Update | Delete)
    return statement.where(literal_column("EXISTS (SELECT FROM go)", Boolean))
