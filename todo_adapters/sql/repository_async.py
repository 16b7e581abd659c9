"""Tasks in SQL: the task repository on PostgreSQL or SQLite, written once.

`AsyncSqlTaskRepository` is written in `repository_async.py`; `SqlTaskRepository`, in
`repository.py`, is generated from it without `await`. The async one runs on psycopg's async
pool (`AsyncDatabase`), the sync one on a SQLAlchemy engine (`Database`: PostgreSQL or
SQLite). Both choose the same statements by name (`statements`, `listing`, `writes`,
`idempotency`, `syncing`), each defined once in `core`, so a rule changed there changes for
both.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial

from todo_adapters.sql import idempotency, listing, statements, syncing, writes
from todo_adapters.sql.async_database import AsyncDatabase, AsyncRun, Connections
from todo_adapters.sql.failures import DuplicateKey
from todo_adapters.sql.rows import task_of, tasks_of
from todo_adapters.sql.statements import Rows, Values
from todo_core.errors import IdempotencyKeyInUse, SyncExpired
from todo_core.idempotency import IdempotencyKey, Outcome
from todo_core.listing import TaskQuery
from todo_core.planned_lists import TagCount, TagCounts
from todo_core.syncing import Delta
from todo_core.tasks import NewTask, Task, TaskChanges, is_task_id
from todo_core.writes import Add, Change, Remove, Toggle, Write

_PURGES = (
    syncing.LOCK_PURGED_OWNERS,
    syncing.ADVANCE_PURGED,
    syncing.PURGE_TOMBSTONES,
    idempotency.PURGE_KEYS,
)


class AsyncSqlTaskRepository:
    """Tasks in the `tasks` table, whose schema `migrate` brings up to date."""

    def __init__(self, connections: Connections) -> None:
        self._db = AsyncDatabase(connections)
        self._postgres = self._db.postgres

    async def list(self, owner: str, query: TaskQuery | None = None) -> list[Task]:
        return tasks_of(await self._db.rows(*listing.list_of(owner, query)))

    async def get(self, owner: str, task_id: int) -> Task | None:
        if not is_task_id(task_id):
            return None
        return _task(await self._db.rows(statements.GET, {"owner": owner, "task_id": task_id}))

    async def tags(self, owner: str) -> TagCounts:
        rows = await self._db.rows(statements.TAGS, {"owner": owner})
        return [TagCount(tag, count) for tag, count in rows]

    async def add(
        self, owner: str, new: NewTask, now: datetime, limit: int | None = None
    ) -> Task | None:
        return await self._write(owner, Add(new, now, limit))

    async def change(
        self,
        owner: str,
        task_id: int,
        changes: TaskChanges,
        now: datetime,
        expected: int | None = None,
    ) -> Task | None:
        if not is_task_id(task_id):
            return None
        if not changes.fields:  # nothing to change: not a write, so no new version
            task = await self.get(owner, task_id)
            return task if task is None or expected in (None, task.version) else None
        return await self._write(owner, Change(task_id, changes, now, expected))

    async def toggle(
        self, owner: str, task_id: int, now: datetime, expected: int | None = None
    ) -> Task | None:
        if not is_task_id(task_id):
            return None
        return await self._write(owner, Toggle(task_id, now, expected))

    async def remove(self, owner: str, task_id: int, expected: int | None = None) -> bool:
        if not is_task_id(task_id):
            return False
        return await self._write(owner, Remove(task_id, expected)) is not None

    async def write_once(self, owner: str, key: IdempotencyKey, write: Write) -> Outcome:
        if not self._postgres:  # SQLite writes one at a time: check, write and keep in turn
            keep = partial(self._kept_or_written, owner, key, write)
            return await self._db.transaction("BEGIN IMMEDIATE", keep)
        statement, values = idempotency.keyed(owner, key, write)
        for _ in range(idempotency.ATTEMPTS):
            try:
                return idempotency.keyed_outcome(await self._db.rows(statement, values))
            except DuplicateKey:  # the key was kept meanwhile, or had expired
                await self._db.rows(idempotency.FORGET_EXPIRED_KEY, values)
        raise IdempotencyKeyInUse("The idempotency key is in use; retry")

    async def kept(self, owner: str, key: IdempotencyKey) -> Outcome | None:
        rows = await self._db.rows(idempotency.KEPT, idempotency.key_values(owner, key))
        return idempotency.kept_outcome(rows[0]) if rows else None

    async def changed_since(self, owner: str, stamp: int) -> Delta:
        begin = syncing.POSTGRES_SNAPSHOT if self._postgres else "BEGIN"
        values = {"owner": owner, "stamp": stamp}
        return await self._db.transaction(begin, partial(_changes, values))

    async def sync_stamp(self, owner: str) -> int:
        following: int = (await self._db.rows(syncing.HORIZON, {"owner": owner}))[0][0]
        return following

    async def purge(self, keys_before: datetime, tombstones_before: datetime) -> None:
        values = {"keys_before": keys_before, "tombstones_before": tombstones_before}
        begin = "BEGIN" if self._postgres else "BEGIN IMMEDIATE"
        await self._db.transaction(begin, partial(_purged, values))

    async def ping(self) -> None:
        """One round trip to the database; raises StorageUnavailable when it cannot."""
        await self._db.rows(statements.PING, {})

    async def _write(self, owner: str, write: Write) -> Task | None:
        return _task(await self._db.rows(*writes.statement_of(owner, write)))

    async def _kept_or_written(
        self, owner: str, key: IdempotencyKey, write: Write, run: AsyncRun
    ) -> Outcome:
        """The keyed write in a transaction of its own, on a database that serialises them."""
        kept = await run(idempotency.KEPT, idempotency.key_values(owner, key))
        if kept:
            return idempotency.kept_outcome(kept[0])
        task = _task(await run(*writes.statement_of(owner, write)))
        if task is None:
            return Outcome(False)
        removal = isinstance(write, Remove)
        await run(idempotency.FORGET_EXPIRED_KEY, idempotency.key_values(owner, key))
        await run(idempotency.KEEP, idempotency.kept_values(key, task, removal))
        return Outcome(True, None if removal else task)


async def _changes(values: Values, run: AsyncRun) -> Delta:
    """One snapshot's horizon, and what changed since `values["stamp"]` in it."""
    following, purged_through, owner_purged_through = (await run(syncing.HORIZON, values))[0]
    stamp = values["stamp"]
    if 0 < stamp <= max(purged_through, owner_purged_through):
        raise SyncExpired()
    tasks = tasks_of(await run(syncing.CHANGED, values))
    deleted = await run(syncing.DELETED, values) if stamp else []
    return Delta(tasks, [task_id for (task_id,) in deleted], following)


async def _purged(values: Values, run: AsyncRun) -> None:
    for statement in _PURGES:
        await run(statement, values)


def _task(rows: Rows) -> Task | None:
    return task_of(rows[0]) if rows else None
