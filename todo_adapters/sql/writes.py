"""Writes (`todo_core.writes`) as the statements that make them: plain, or on PostgreSQL under
an idempotency key, where the key's check, the write and the keeping of its outcome are ONE
statement (one round trip, atomic without BEGIN/COMMIT; it works through a transaction pooler).

The keyed statement, in order:
- `lock`: a transaction-scoped advisory lock on (owner, key), tried, never waited for: while
  the key's first request runs, a repeat is told so at once (IdempotencyKeyInUse: 409);
- `prior`: the outcome kept under the key, if fresh: then nothing is written (a replay);
- `slot` (a create only): the owner's task count, locked, and below the limit (see `_SLOT`);
- `written`: the ordinary write, guarded by `go` (lock held, no prior), a create by `slot`;
- `kept`: the outcome inserted under the key, only if the write happened.

A repeat that read before the first committed and locked after it finds no prior, writes,
and then fails on the key's primary key: the whole statement (its write included) is undone
and the caller runs it again, which now replays. An expired key still on record fails the
same way; it is deleted before that second run.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    Delete,
    Text,
    Update,
    bindparam,
    cast,
    insert,
    literal_column,
    select,
)
from sqlalchemy.sql.dml import UpdateBase

from todo_adapters.sql import statements
from todo_adapters.sql.statements import COLUMNS, postgres_text
from todo_adapters.sql.table import TaskRow
from todo_core.errors import IdempotencyKeyInUse
from todo_core.idempotency import IdempotencyKey, Outcome
from todo_core.tasks import Task
from todo_core.writes import Add, Change, Remove, Toggle, Write

_tasks = TaskRow.__table__  # type: ignore[attr-defined]
_GO = literal_column("EXISTS (SELECT FROM go)", Boolean)
_SLOTTED = literal_column("EXISTS (SELECT FROM slot)", Boolean)
# The owner's count row, locked and checked: a concurrent create waits for it, then sees the
# count the first one's trigger left (ON CONFLICT re-reads the newest row), so of creates
# racing at `limit - 1` exactly one goes in. Its own trigger then counts the task.
_SLOT = """slot AS MATERIALIZED (
    INSERT INTO task_counts (user_id, tasks) SELECT %(owner)s::text, 0 {source}
    ON CONFLICT (user_id) DO UPDATE SET tasks = task_counts.tasks
    WHERE task_counts.tasks < %(limit)s::bigint
    RETURNING 1
)"""
_SLOTTED_ADD = (
    insert(_tasks)
    .from_select(
        statements.NEW_ROW,
        select(
            cast(bindparam("owner"), Text),
            cast(bindparam("title"), Text),
            cast(bindparam("description"), Text),
            cast(bindparam("completed"), Boolean),
            cast(bindparam("now"), DateTime(timezone=True)),
            cast(bindparam("now"), DateTime(timezone=True)),
        ).where(_SLOTTED),
    )
    .returning(*COLUMNS)
)
POSTGRES_ADD = f"WITH {_SLOT.format(source='')}\n{postgres_text(_SLOTTED_ADD)}"
ATTEMPTS = 3  # a lost race, then an expired key: the third run replays or writes


def statement_of(owner: str, write: Write) -> tuple[UpdateBase, dict[str, Any]]:
    """The plain statement that makes `write`, and its values; it returns the task as written
    (a removal: as it was), or no row when the write did not happen."""
    values: dict[str, Any] = {"owner": owner}
    match write:
        case Add(new, now, limit):
            values.update(title=new.title, description=new.description, now=now)
            values.update(
                completed=new.completed, limit=statements.UNLIMITED if limit is None else limit
            )
            return statements.ADD, values
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


def keyed_parameters(owner: str, key: IdempotencyKey, write: Write) -> tuple[str, dict[str, Any]]:
    """The keyed statement's text for `write` on PostgreSQL, and all its values."""
    statement, values = statement_of(owner, write)
    keyed = {
        "lock_id": lock_id(owner, key.key),
        "key": key.key,
        "fingerprint": key.fingerprint,
        "at": key.at,
        "fresh_after": key.fresh_after,
    }
    return keyed_text(statement, isinstance(write, Remove)), {**values, **keyed}


@lru_cache(maxsize=64)
def keyed_text(statement: UpdateBase, removal: bool) -> str:
    write = postgres_text(_guarded(statement))
    slot = f"{_SLOT.format(source='FROM go')}, " if statement is statements.ADD else ""
    task = "w.id, w.title, w.description, w.completed, w.created_at, w.updated_at, w.version"
    removed = str(removal).upper()
    owned_task = task.replace("w.title", "%(owner)s::text, w.title")
    kept = (
        "k.task_id, k.title, k.description, k.completed,"
        " k.task_created_at, k.task_updated_at, k.version"
    )
    # Built from our own compiled statement only: every value is a bound parameter.
    return f"""
WITH lock AS MATERIALIZED (
    SELECT pg_try_advisory_xact_lock(%(lock_id)s) AS free
), prior AS MATERIALIZED (
    SELECT k.fingerprint, k.removed, {kept}
    FROM idempotency_keys AS k, lock
    WHERE lock.free AND k.user_id = %(owner)s::text AND k."key" = %(key)s::text
      AND k.created_at >= %(fresh_after)s::timestamptz
), go AS MATERIALIZED (
    SELECT FROM lock WHERE lock.free AND NOT EXISTS (SELECT FROM prior)
), {slot}written AS (
    {write}
), kept AS (
    INSERT INTO idempotency_keys (user_id, "key", fingerprint, created_at, removed,
        task_id, title, description, completed, task_created_at, task_updated_at, version)
    SELECT %(owner)s::text, %(key)s::text, %(fingerprint)s::text, %(at)s::timestamptz,
        {removed}, {task}
    FROM written AS w
)
SELECT 'written', NULL, {removed}, {owned_task}
FROM written AS w
UNION ALL
SELECT 'replayed', k.fingerprint, k.removed, {kept.replace("k.title", "%(owner)s::text, k.title")}
FROM prior AS k
UNION ALL
SELECT 'busy', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM lock WHERE NOT lock.free
"""  # noqa: S608


def _guarded(statement: UpdateBase) -> UpdateBase:
    """The write, made only when `go` has its row."""
    if statement is statements.ADD:
        return _SLOTTED_ADD  # the slot is taken only when `go` has its row
    assert isinstance(statement, Update | Delete)
    return statement.where(_GO)


def keyed_outcome(rows: list[tuple[Any, ...]]) -> Outcome:
    """The keyed statement's answer: written, replayed, busy, or (no row) not done."""
    if not rows:
        return Outcome(False)
    state, fingerprint, removed, *task = rows[0]
    if state == "busy":
        raise IdempotencyKeyInUse("The first request with this key is still running")
    return Outcome(True, None if removed else Task(*task), fingerprint)


def lock_id(owner: str, key: str) -> int:
    """(owner, key) as the 64-bit number an advisory lock takes."""
    digest = hashlib.blake2b(f"{owner}\x00{key}".encode("utf-8", "surrogatepass"), digest_size=8)
    return int.from_bytes(digest.digest(), "big", signed=True)
