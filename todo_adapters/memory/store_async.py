"""Tasks in memory: the fake for tests, and a real store for importers.

Callers get copies of what is stored, as from a database: changing a task handed out changes
nothing stored. `AsyncInMemoryTaskRepository` is written in `store_async.py`;
`InMemoryTaskRepository`, in `store.py`, is generated from it without `await`. Memory never
waits, so the async one awaits nothing of its own. The contract suite (tests/contract) holds
both to exactly the behaviour of the SQL adapters.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import replace
from datetime import UTC, datetime

from todo_adapters.memory.records import (
    Kept,
    Tombstone,
    by_id,
    copied,
    copy,
    kept_in_order,
    new_task,
    tag_counts,
    utc,
)
from todo_core.errors import SyncExpired
from todo_core.idempotency import KEYS_PER_OWNER, IdempotencyKey, Outcome
from todo_core.listing import TaskQuery, is_after
from todo_core.planned_lists import TagCounts
from todo_core.recurring import rolls
from todo_core.syncing import TOMBSTONES_PER_OWNER, Delta
from todo_core.tasks import NewTask, Task, TaskChanges
from todo_core.writes import Add, Change, Remove, Toggle, Write


class AsyncInMemoryTaskRepository:
    """Tasks in a dict per owner; one lock makes every method atomic across threads.

    Every write takes the next stamp under that lock, so stamps are in commit order and a sync
    may hand out the next one as its cursor. The lock is re-entrant so that a keyed write runs
    the ordinary write inside it. Nothing is awaited while it is held: every write is
    `_write`, which is plain code.

    An owner keeps at most `keys_per_owner` idempotency keys and `tombstones_per_owner`
    tombstones, as in SQL (where `sync_state` holds these bounds): the oldest go first.
    """

    def __init__(
        self,
        *,
        keys_per_owner: int = KEYS_PER_OWNER,
        tombstones_per_owner: int = TOMBSTONES_PER_OWNER,
    ) -> None:
        self._by_owner: dict[str, dict[int, Task]] = {}
        self._ids = itertools.count(1)
        self._lock = threading.RLock()
        self._last_stamp = 0
        self._stamps: dict[int, int] = {}  # task id -> the stamp of its last write
        self._tombstones: dict[str, list[Tombstone]] = {}
        self._purged_through = 0  # the last stamp of a tombstone forgotten
        self._owner_purged_through: dict[str, int] = {}  # the same, past an owner's bound
        self._keys: dict[str, dict[str, Kept]] = {}  # per owner, oldest first
        self._keys_per_owner = keys_per_owner
        self._tombstones_per_owner = tombstones_per_owner

    async def list(self, owner: str, query: TaskQuery | None = None) -> list[Task]:
        with self._lock:
            tasks = list(self._by_owner.get(owner, {}).values())
        if query is None:
            return [copy(task) for task in sorted(tasks, key=by_id)]
        found = sorted(
            (task for task in tasks if query.matches(task)),
            key=lambda task: query.position(query.key_of(task)),
            reverse=query.descending,
        )
        if query.after is not None:
            after, descending = query.position(query.after), query.descending
            found = [
                t for t in found if is_after(query.position(query.key_of(t)), after, descending)
            ]
        if query.limit is not None:
            found = found[: query.limit + 1]  # one more says that another page follows
        return [copy(task) for task in found]

    async def get(self, owner: str, task_id: int) -> Task | None:
        with self._lock:
            task = self._by_owner.get(owner, {}).get(task_id)
        return None if task is None else copy(task)

    async def tags(self, owner: str) -> TagCounts:
        with self._lock:
            return tag_counts(self._by_owner.get(owner, {}).values())

    async def add(
        self, owner: str, new: NewTask, now: datetime, limit: int | None = None
    ) -> Task | None:
        return self._write(owner, Add(new, now, limit)).task

    async def change(
        self,
        owner: str,
        task_id: int,
        changes: TaskChanges,
        now: datetime,
        expected: int | None = None,
    ) -> Task | None:
        return self._write(owner, Change(task_id, changes, now, expected)).task

    async def toggle(
        self, owner: str, task_id: int, now: datetime, expected: int | None = None
    ) -> Task | None:
        return self._write(owner, Toggle(task_id, now, expected)).task

    async def remove(self, owner: str, task_id: int, expected: int | None = None) -> bool:
        return self._write(owner, Remove(task_id, expected)).done

    async def write_once(self, owner: str, key: IdempotencyKey, write: Write) -> Outcome:
        with self._lock:
            prior = self._kept(owner, key)
            if prior is not None:
                return prior
            outcome = self._write(owner, write)
            if outcome.done:
                self._keep(owner, key, Kept(key.fingerprint, utc(key.at), copied(outcome)))
            return outcome

    async def kept(self, owner: str, key: IdempotencyKey) -> Outcome | None:
        with self._lock:
            return self._kept(owner, key)

    def _kept(self, owner: str, key: IdempotencyKey) -> Outcome | None:
        kept = self._keys.setdefault(owner, {}).get(key.key)
        if kept is None or kept.at < key.fresh_after:
            return None
        return replace(copied(kept.outcome), replayed_for=kept.fingerprint)

    async def changed_since(self, owner: str, stamp: int) -> Delta:
        with self._lock:
            if 0 < stamp <= max(self._purged_through, self._owner_purged_through.get(owner, 0)):
                raise SyncExpired()
            tasks = self._by_owner.get(owner, {}).values()
            changed = [copy(t) for t in tasks if self._stamps[t.id] >= stamp]
            tombstones = self._tombstones.get(owner, []) if stamp else []
            deleted = [t.task_id for t in tombstones if t.stamp >= stamp]
            return Delta(sorted(changed, key=by_id), sorted(deleted), self._last_stamp + 1)

    async def sync_stamp(self, owner: str) -> int:
        with self._lock:
            return self._last_stamp + 1

    async def purge(self, keys_before: datetime, tombstones_before: datetime) -> None:
        with self._lock:
            for keys in self._keys.values():
                for name, kept in list(keys.items()):
                    if kept.at < keys_before:
                        del keys[name]
            for tombstones in self._tombstones.values():
                gone = [t for t in tombstones if t.at < tombstones_before]
                if gone:
                    self._purged_through = max(self._purged_through, *(t.stamp for t in gone))
                    tombstones[:] = [t for t in tombstones if t.at >= tombstones_before]

    def _write(self, owner: str, write: Write) -> Outcome:
        """Any write, atomically: the task as written (none for a removal), or not done."""
        with self._lock:
            tasks = self._by_owner.get(owner, {})
            match write:
                case Add(new, now, limit):
                    if limit is not None and len(tasks) >= limit:
                        return Outcome(False)
                    now = utc(now)
                    added = new_task(next(self._ids), owner, new, now)
                    self._by_owner.setdefault(owner, {})[added.id] = added
                    self._stamps[added.id] = self._stamp()
                    return Outcome(True, copy(added))
                case Change(task_id, changes, now, expected):
                    if changes.partial_schedule:
                        raise ValueError("a change of the schedule sets all of it (TaskChanges)")
                    changed = tasks.get(task_id)
                    if changed is not None and rolls(changed, changes):
                        return Outcome(False)  # the service rolls it forward instead
                    fields = changes.values()
                    return self._replace(tasks, task_id, expected, utc(now), **fields)
                case Toggle(task_id, now, expected):
                    toggled = tasks.get(task_id)
                    if toggled is not None and toggled.recurrence and not toggled.completed:
                        return Outcome(False)  # the service rolls it forward instead
                    flipped = {} if toggled is None else {"completed": not toggled.completed}
                    return self._replace(tasks, task_id, expected, utc(now), **flipped)
                case Remove(task_id, expected):
                    gone = tasks.get(task_id)
                    if gone is None or (expected is not None and gone.version != expected):
                        return Outcome(False)
                    del tasks[task_id]
                    del self._stamps[task_id]
                    self._bury(owner, Tombstone(task_id, self._stamp(), datetime.now(UTC)))
                    return Outcome(True)

    def _keep(self, owner: str, key: IdempotencyKey, kept: Kept) -> None:
        self._keys[owner] = kept_in_order(self._keys[owner], key.key, kept, self._keys_per_owner)

    def _bury(self, owner: str, tombstone: Tombstone) -> None:
        """Keep a tombstone, forgetting the owner's oldest past the bound."""
        tombstones = self._tombstones.setdefault(owner, [])
        tombstones.append(tombstone)
        over = len(tombstones) - self._tombstones_per_owner
        if over > 0:
            last_gone = tombstones[over - 1].stamp
            self._owner_purged_through[owner] = max(
                self._owner_purged_through.get(owner, 0), last_gone
            )
            del tombstones[:over]

    def _stamp(self) -> int:
        self._last_stamp += 1
        return self._last_stamp

    def _replace(
        self,
        tasks: dict[int, Task],
        task_id: int,
        expected: int | None,
        now: datetime,
        **fields: object,
    ) -> Outcome:
        task = tasks.get(task_id)
        if task is None or (expected is not None and task.version != expected):
            return Outcome(False)
        if not fields:  # nothing to change: not a write, so no new version (as in SQL)
            return Outcome(True, copy(task))
        if fields.get("completed") is True and not task.completed:
            fields.setdefault("last_completed_at", now)
        fields.update(updated_at=now, version=task.version + 1)
        tasks[task_id] = replace(task, **fields)  # type: ignore[arg-type]
        self._stamps[task_id] = self._stamp()
        return Outcome(True, copy(tasks[task_id]))
