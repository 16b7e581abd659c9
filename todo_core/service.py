"""The use cases: what a user can do with their tasks, whatever stores them or calls in.

Two twins, TaskService (plain calls) and AsyncTaskService (awaited), with the same methods,
errors and owner scoping. Neither holds a rule: validation lives in `tasks.py` and the checks
below, shared by both, so that the twins only orchestrate and cannot drift apart.
"""

from __future__ import annotations

from datetime import timedelta

from todo_core.clock import Clock, UtcClock
from todo_core.errors import InvalidTask, StaleTask, TaskLimitReached, TaskNotFound
from todo_core.idempotency import KEY_TTL, Done, IdempotencyKey, Outcome, check_key, replayed
from todo_core.listing import TaskPage, TaskQuery
from todo_core.ports import AsyncTaskRepository, TaskRepository
from todo_core.syncing import SYNC_RETENTION, Changes, Delta, cursor_of, stamp_of
from todo_core.tasks import (
    TASK_LIMIT,
    UNSET,
    NewTask,
    Task,
    TaskChanges,
    is_owner_id,
    is_task_id,
)
from todo_core.writes import Add, Change, Remove, Toggle, Write


class TaskService:
    """Owner-scoped task operations. The owner id comes from a verified token, never a URL.

    Every call names its owner, so there is no way to reach another user's task: it is simply
    not found. Invalid input raises InvalidTask before anything is stored.
    """

    def __init__(
        self,
        tasks: TaskRepository,
        clock: Clock | None = None,
        *,
        key_ttl: timedelta = KEY_TTL,
        sync_retention: timedelta = SYNC_RETENTION,
        task_limit: int = TASK_LIMIT,
    ) -> None:
        self._tasks = tasks
        self._now = clock or UtcClock()
        self._key_ttl = key_ttl
        self._sync_retention = sync_retention
        self._task_limit = task_limit

    def list(self, owner: str) -> list[Task]:
        return self._tasks.list(owner_id(owner))

    def page(self, owner: str, query: TaskQuery) -> TaskPage:
        """One page of the tasks `query` keeps, and the cursor of the next, if any."""
        owner = owner_id(owner)
        return paged(owner, query, self._tasks.list(owner, query))

    def add(
        self, owner: str, title: object, description: object = None, completed: object = False
    ) -> Task:
        new = NewTask.of(title, description, completed)
        task = self._tasks.add(owner_id(owner), new, self._now(), self._task_limit)
        return added(task, self._task_limit)

    def get(self, owner: str, task_id: int) -> Task:
        owner = owner_id(owner)
        return found(task_id, self._tasks.get(owner, task_id) if is_task_id(task_id) else None)

    def change(
        self,
        owner: str,
        task_id: int,
        *,
        title: object = UNSET,
        description: object = UNSET,
        completed: object = UNSET,
        expected: int | None = None,
    ) -> Task:
        """Set only the fields given; with none given, the task is returned as it is. With
        `expected`, only if the task is still at that version (else StaleTask)."""
        changes = TaskChanges.of(title, description, completed)
        owner = existing(owner, task_id)
        if not changes.fields:
            return current(self.get(owner, task_id), expected)
        task = self._tasks.change(owner, task_id, changes, self._now(), expected)
        return self._written(owner, task_id, expected, task)

    def toggle(self, owner: str, task_id: int, expected: int | None = None) -> Task:
        owner = existing(owner, task_id)
        task = self._tasks.toggle(owner, task_id, self._now(), expected)
        return self._written(owner, task_id, expected, task)

    def remove(self, owner: str, task_id: int, expected: int | None = None) -> None:
        owner = existing(owner, task_id)
        if not self._tasks.remove(owner, task_id, expected):
            self._written(owner, task_id, expected, None)

    # The same writes under an idempotency key: a repeat of the request answers with the
    # first one's result (Done.replayed) instead of writing again.

    def add_once(
        self,
        owner: str,
        key: str,
        title: object,
        description: object = None,
        completed: object = False,
    ) -> Done:
        new = NewTask.of(title, description, completed)
        return self._once(owner_id(owner), key, Add(new, self._now(), self._task_limit))

    def change_once(
        self,
        owner: str,
        key: str,
        task_id: int,
        *,
        title: object = UNSET,
        description: object = UNSET,
        completed: object = UNSET,
        expected: int | None = None,
    ) -> Done:
        changes = TaskChanges.of(title, description, completed)
        owner = existing(owner, task_id)
        if not changes.fields:  # not a write: nothing to keep
            check_key(key)
            return Done(current(self.get(owner, task_id), expected))
        return self._once(owner, key, Change(task_id, changes, self._now(), expected))

    def toggle_once(self, owner: str, key: str, task_id: int, expected: int | None = None) -> Done:
        owner = existing(owner, task_id)
        return self._once(owner, key, Toggle(task_id, self._now(), expected))

    def remove_once(self, owner: str, key: str, task_id: int, expected: int | None = None) -> Done:
        owner = existing(owner, task_id)
        return self._once(owner, key, Remove(task_id, expected))

    def changes(self, owner: str, cursor: str) -> Changes:
        """What changed since the sync that handed out `cursor` ("0": everything)."""
        owner = owner_id(owner)
        return synced(owner, self._tasks.changed_since(owner, stamp_of(cursor, owner)))

    def purge(self) -> None:
        """Forget expired idempotency keys and tombstones (run it now and then: each replica's
        housekeeping does, and any may)."""
        now = self._now()
        self._tasks.purge(now - self._key_ttl, now - self._sync_retention)

    def _once(self, owner: str, key: str, write: Write) -> Done:
        keyed = IdempotencyKey.of(key, write, self._now(), self._key_ttl)
        outcome = replayed(keyed, self._tasks.write_once(owner, keyed, write))
        if not outcome.done:
            self._written(owner, *target(write), None)
        return done(outcome)

    def _written(self, owner: str, task_id: int, expected: int | None, task: Task | None) -> Task:
        """The written task; else why not: gone (TaskNotFound) or changed meanwhile."""
        if task is None and expected is not None and self._tasks.get(owner, task_id):
            raise StaleTask(task_id)
        return found(task_id, task)


class AsyncTaskService:
    """TaskService for an event loop: the same use cases over an AsyncTaskRepository."""

    def __init__(
        self,
        tasks: AsyncTaskRepository,
        clock: Clock | None = None,
        *,
        key_ttl: timedelta = KEY_TTL,
        sync_retention: timedelta = SYNC_RETENTION,
        task_limit: int = TASK_LIMIT,
    ) -> None:
        self._tasks = tasks
        self._now = clock or UtcClock()
        self._key_ttl = key_ttl
        self._sync_retention = sync_retention
        self._task_limit = task_limit

    async def list(self, owner: str) -> list[Task]:
        return await self._tasks.list(owner_id(owner))

    async def page(self, owner: str, query: TaskQuery) -> TaskPage:
        owner = owner_id(owner)
        return paged(owner, query, await self._tasks.list(owner, query))

    async def add(
        self, owner: str, title: object, description: object = None, completed: object = False
    ) -> Task:
        new = NewTask.of(title, description, completed)
        task = await self._tasks.add(owner_id(owner), new, self._now(), self._task_limit)
        return added(task, self._task_limit)

    async def get(self, owner: str, task_id: int) -> Task:
        owner = owner_id(owner)
        return found(
            task_id, await self._tasks.get(owner, task_id) if is_task_id(task_id) else None
        )

    async def change(
        self,
        owner: str,
        task_id: int,
        *,
        title: object = UNSET,
        description: object = UNSET,
        completed: object = UNSET,
        expected: int | None = None,
    ) -> Task:
        changes = TaskChanges.of(title, description, completed)
        owner = existing(owner, task_id)
        if not changes.fields:
            return current(await self.get(owner, task_id), expected)
        task = await self._tasks.change(owner, task_id, changes, self._now(), expected)
        return await self._written(owner, task_id, expected, task)

    async def toggle(self, owner: str, task_id: int, expected: int | None = None) -> Task:
        owner = existing(owner, task_id)
        task = await self._tasks.toggle(owner, task_id, self._now(), expected)
        return await self._written(owner, task_id, expected, task)

    async def remove(self, owner: str, task_id: int, expected: int | None = None) -> None:
        owner = existing(owner, task_id)
        if not await self._tasks.remove(owner, task_id, expected):
            await self._written(owner, task_id, expected, None)

    async def add_once(
        self,
        owner: str,
        key: str,
        title: object,
        description: object = None,
        completed: object = False,
    ) -> Done:
        new = NewTask.of(title, description, completed)
        return await self._once(owner_id(owner), key, Add(new, self._now(), self._task_limit))

    async def change_once(
        self,
        owner: str,
        key: str,
        task_id: int,
        *,
        title: object = UNSET,
        description: object = UNSET,
        completed: object = UNSET,
        expected: int | None = None,
    ) -> Done:
        changes = TaskChanges.of(title, description, completed)
        owner = existing(owner, task_id)
        if not changes.fields:
            check_key(key)
            return Done(current(await self.get(owner, task_id), expected))
        return await self._once(owner, key, Change(task_id, changes, self._now(), expected))

    async def toggle_once(
        self, owner: str, key: str, task_id: int, expected: int | None = None
    ) -> Done:
        owner = existing(owner, task_id)
        return await self._once(owner, key, Toggle(task_id, self._now(), expected))

    async def remove_once(
        self, owner: str, key: str, task_id: int, expected: int | None = None
    ) -> Done:
        owner = existing(owner, task_id)
        return await self._once(owner, key, Remove(task_id, expected))

    async def changes(self, owner: str, cursor: str) -> Changes:
        owner = owner_id(owner)
        return synced(owner, await self._tasks.changed_since(owner, stamp_of(cursor, owner)))

    async def purge(self) -> None:
        now = self._now()
        await self._tasks.purge(now - self._key_ttl, now - self._sync_retention)

    async def _once(self, owner: str, key: str, write: Write) -> Done:
        keyed = IdempotencyKey.of(key, write, self._now(), self._key_ttl)
        outcome = replayed(keyed, await self._tasks.write_once(owner, keyed, write))
        if not outcome.done:
            await self._written(owner, *target(write), None)
        return done(outcome)

    async def _written(
        self, owner: str, task_id: int, expected: int | None, task: Task | None
    ) -> Task:
        if task is None and expected is not None and await self._tasks.get(owner, task_id):
            raise StaleTask(task_id)
        return found(task_id, task)


def owner_id(owner: str) -> str:
    """The owner, if it can own tasks at all (it comes from a token, and stores index it)."""
    if not is_owner_id(owner):
        raise InvalidTask({"user_id": "is not a valid owner id"})
    return owner


def existing(owner: str, task_id: int) -> str:
    """The owner of a call about one task; an id no task can have is simply not found."""
    owner = owner_id(owner)
    if not is_task_id(task_id):
        raise TaskNotFound(task_id)
    return owner


def found(task_id: int, task: Task | None) -> Task:
    if task is None:
        raise TaskNotFound(task_id)
    return task


def current(task: Task, expected: int | None) -> Task:
    """`task`, if it is at the version the caller expects (any, when None)."""
    if expected is not None and task.version != expected:
        raise StaleTask(task.id)
    return task


def paged(owner: str, query: TaskQuery, tasks: list[Task]) -> TaskPage:
    """A page from what the store returned: one task past the limit means another page."""
    if query.limit is None or len(tasks) <= query.limit:
        return TaskPage(tasks)
    tasks = tasks[: query.limit]
    return TaskPage(tasks, query.cursor_after(tasks[-1], owner))


def added(task: Task | None, limit: int) -> Task:
    """The added task; no task means the owner had `limit` already."""
    if task is None:
        raise TaskLimitReached(limit)
    return task


def target(write: Write) -> tuple[int, int | None]:
    """The task a write that did not happen was aimed at, and the version it expected (a
    creation that did not happen was over the limit)."""
    if isinstance(write, Add):
        raise TaskLimitReached(write.limit or 0)
    return write.task_id, write.expected


def done(outcome: Outcome) -> Done:
    return Done(outcome.task, replayed=outcome.replayed_for is not None)


def synced(owner: str, delta: Delta) -> Changes:
    return Changes(delta.tasks, delta.deleted, cursor_of(delta.stamp, owner))
