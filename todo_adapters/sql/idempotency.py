"""Idempotency keys in SQL: a keyed write's outcome is kept in `idempotency_keys` in the same
transaction as the write (columns: `table.KEPT_TASK`).

SQLite serialises writes, so its repository checks, writes and keeps in one transaction. On
PostgreSQL the key's check, the write and the keeping of its outcome are ONE statement
(`keyed`: one round trip, atomic without BEGIN/COMMIT; it works through a transaction pooler):
- `lock`: a transaction-scoped advisory lock on (owner, key), tried, never waited for: while
  the key's first request runs, a repeat is told so at once (IdempotencyKeyInUse: 409);
- `prior`: the outcome kept under the key, if fresh: then nothing is written (a replay);
- `slot` (a create only): the owner's task count, locked, and below the limit;
- `written`: the ordinary write, guarded by `go` (lock held, no prior), a create by `slot`;
- `kept`: the outcome inserted under the key, only if the write happened.

A repeat that read before the first committed and locked after it finds no prior, writes,
and then fails on the key's primary key: the whole statement (its write included) is undone
and the caller runs it again, which now replays. An expired key still on record fails the
same way; it is deleted (`FORGET_EXPIRED_KEY`) before that second run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Boolean, Delete, Update, bindparam, delete, insert, literal_column, select

from todo_adapters.sql import statements, writes
from todo_adapters.sql.statements import Statement, Values, postgres_text
from todo_adapters.sql.table import KEPT_TASK, KEYS
from todo_core.errors import IdempotencyKeyInUse
from todo_core.idempotency import IdempotencyKey, Outcome
from todo_core.tasks import Task
from todo_core.writes import Remove, Write

ATTEMPTS = 3  # a lost race, then an expired key: the third run replays or writes
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


def key_values(owner: str, key: IdempotencyKey) -> Values:
    return {"owner": owner, "key": key.key, "fresh_after": key.fresh_after}


def kept_values(key: IdempotencyKey, task: Task, removal: bool) -> Values:
    """What KEEP binds: the key, and the task as written (a removal: as it was)."""
    kept = {column: getattr(task, field) for field, column in KEPT_TASK.items()}
    return {"key": key.key, "fingerprint": key.fingerprint, "at": key.at, "removed": removal} | kept


def kept_outcome(row: Sequence[Any]) -> Outcome:
    """A KEPT row (or the keyed statement's `prior` row) as the outcome kept for the key."""
    fingerprint, removed, *task = row
    return Outcome(True, None if removed else Task(*task), fingerprint)


def keyed(owner: str, key: IdempotencyKey, write: Write) -> tuple[Statement, Values]:
    """PostgreSQL's one keyed statement for `write`, and all its values."""
    statement, values = writes.statement_of(owner, write, postgres=True)
    values.update(
        lock_id=lock_id(owner, key.key),
        key=key.key,
        fingerprint=key.fingerprint,
        at=key.at,
        fresh_after=key.fresh_after,
    )
    return keyed_text(statement, isinstance(write, Remove)), values


def keyed_outcome(rows: statements.Rows) -> Outcome:
    """The keyed statement's answer: written, replayed, busy, or (no row) not done."""
    if not rows:
        return Outcome(False)
    state, *kept = rows[0]
    if state == "busy":
        raise IdempotencyKeyInUse("The first request with this key is still running")
    return kept_outcome(kept)  # written now: no fingerprint, as nothing is replayed


def lock_id(owner: str, key: str) -> int:
    """(owner, key) as the 64-bit number an advisory lock takes."""
    digest = hashlib.blake2b(f"{owner}\x00{key}".encode("utf-8", "surrogatepass"), digest_size=8)
    return int.from_bytes(digest.digest(), "big", signed=True)


def keyed_text(statement: Statement, removal: bool) -> str:
    """The keyed statement around the plain one (built once per plain statement)."""
    return _keyed_text(statement, removal)


@lru_cache(maxsize=64)  # typed by `keyed_text`: the cache's own signature takes anything
def _keyed_text(statement: Statement, removal: bool) -> str:
    adding = statement is writes.POSTGRES_ADD
    write = postgres_text(writes.SLOTTED_ADD if adding else _guarded(statement))
    slot = f"{writes.SLOT.format(source='FROM go')}, " if adding else ""
    written = ", ".join(f"w.{field}" for field in KEPT_TASK)  # tasks' columns are Task's fields
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
    SELECT %(key)s::text, %(fingerprint)s::text, %(at)s::timestamptz, {removed}, {written}
    FROM written AS w
)
SELECT 'written', NULL, {removed}, {written} FROM written AS w
UNION ALL
SELECT 'replayed', k.fingerprint, k.removed, {prior} FROM prior AS k
UNION ALL
SELECT 'busy', {nothing} FROM lock WHERE NOT lock.free
"""  # noqa: S608


def _guarded(statement: Statement) -> Update | Delete:
    """The write, made only when `go` has its row."""
    assert isinstance(statement, Update | Delete)
    return statement.where(literal_column("EXISTS (SELECT FROM go)", Boolean))
