"""Idempotency keys in SQL: a keyed write's outcome is kept in `idempotency_keys` in the same
transaction as the write.

SQLite serialises writes, so its repository checks (`KEPT`), writes and keeps (`KEEP`) in one
transaction. On PostgreSQL the key's check, the write and the keeping of its outcome are ONE
statement, `keyed <write>` (`core.idempotency.keyed_text` tells how): one round trip, atomic
without BEGIN/COMMIT, so it works through a transaction pooler. A repeat while the first
request runs is told so at once (IdempotencyKeyInUse: 409).

A repeat that read before the first committed and locked after it finds no prior, writes,
and then fails on the key's primary key: the whole statement (its write included) is undone
and the caller runs it again, which now replays. An expired key still on record fails the
same way; it is deleted (`FORGET_EXPIRED_KEY`) before that second run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any, Final

from todo_adapters.sql import writes
from todo_adapters.sql.rows import recurrence_text, task_of
from todo_adapters.sql.statements import Rows, Statement, Values
from todo_core.errors import IdempotencyKeyInUse
from todo_core.idempotency import IdempotencyKey, Outcome
from todo_core.tasks import Task
from todo_core.writes import Write

ATTEMPTS: Final = 3  # a lost race, then an expired key: the third run replays or writes
KEPT: Final = "kept key"
FORGET_EXPIRED_KEY: Final = "forget expired key"  # still on record, before it is used afresh
KEEP: Final = "keep key"
PURGE_KEYS: Final = "purge keys"
_KEYED: Final = "keyed "

# Where a kept outcome holds its task: each Task field, in Task's order, and its column in
# `idempotency_keys` (the owner is the key's own `user_id`). Every statement that keeps or
# reads one uses this; rows become tasks by position, so the order is Task's by construction.
_KEPT_AS: Final = {
    "id": "task_id",
    "created_at": "task_created_at",
    "updated_at": "task_updated_at",
}
KEPT_TASK: Final = {field: _KEPT_AS.get(field, field) for field in Task.__dataclass_fields__}


def keyed_name(write: Statement) -> Statement:
    return _KEYED + write


def write_of(keyed: Statement) -> Statement:
    """The plain write a `keyed_name` wraps."""
    if not keyed.startswith(_KEYED):
        raise KeyError(keyed)
    return keyed.removeprefix(_KEYED)


def every_keyed() -> list[Statement]:
    return [keyed_name(write) for write in writes.every_write()]


def key_values(owner: str, key: IdempotencyKey) -> Values:
    return {"owner": owner, "key": key.key, "fresh_after": key.fresh_after}


def kept_values(key: IdempotencyKey, task: Task, removal: bool) -> Values:
    """What KEEP binds: the key, and the task as written (a removal: as it was)."""
    kept = {column: getattr(task, field) for field, column in KEPT_TASK.items()}
    kept["recurrence"] = recurrence_text(task.recurrence)
    return {"key": key.key, "fingerprint": key.fingerprint, "at": key.at, "removed": removal} | kept


def kept_outcome(row: Sequence[Any]) -> Outcome:
    """A KEPT row (or the keyed statement's `prior` row) as the outcome kept for the key."""
    fingerprint, removed, *task = row
    return Outcome(True, None if removed else task_of(task), fingerprint)


def keyed(owner: str, key: IdempotencyKey, write: Write) -> tuple[Statement, Values]:
    """PostgreSQL's one keyed statement for `write`, and all its values."""
    statement, values = writes.statement_of(owner, write)
    values.update(
        lock_id=lock_id(owner, key.key),
        key=key.key,
        fingerprint=key.fingerprint,
        at=key.at,
        fresh_after=key.fresh_after,
    )
    return keyed_name(statement), values


def keyed_outcome(rows: Rows) -> Outcome:
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
