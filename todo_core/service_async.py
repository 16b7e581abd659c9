"""The use cases: what a user can do with their tasks, whatever stores them or calls in.

`AsyncTaskService` is written once, in `service_async.py`; `TaskService`, in `service.py`,
is generated from it without `await`. Neither holds a rule: validation lives in `tasks.py`, and
what the calls check of their arguments and of the store's answers in `checks.py`, so the
twins only orchestrate.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Unpack

from todo_core import following_async, recurring
from todo_core.announcing_async import AsyncAnnouncedTasks
from todo_core.checks import (
    added,
    current,
    done,
    existing,
    found,
    may_roll,
    owner_id,
    paged,
    reschedules,
    synced,
    target,
    task_id_of,
)
from todo_core.clock import Clock, UtcClock
from todo_core.errors import StaleTask, TaskBusy
from todo_core.idempotency import KEY_TTL, Done, IdempotencyKey, check_key, replayed
from todo_core.listing import TaskPage, TaskQuery
from todo_core.planned_lists import TagCounts
from todo_core.planning import PlannedFields
from todo_core.ports_async import AsyncChangeNotifier, AsyncTaskRepository, Occurrences
from todo_core.syncing import SYNC_RETENTION, Changes, stamp_of
from todo_core.tasks import TASK_LIMIT, ChangedFields, NewTask, Task, TaskChanges, is_task_id
from todo_core.writes import Add, Change, Remove, Toggle, Write

ATTEMPTS = 10  # a roll or a reschedule is written at the version it read; so many tries


class AsyncTaskService:
    """Owner-scoped task operations. The owner id comes from a verified token, never a URL.

    Every call names its owner, so there is no way to reach another user's task: it is simply
    not found. Invalid input raises InvalidTask before anything is stored.
    """

    def __init__(
        self,
        tasks: AsyncTaskRepository,
        clock: Clock | None = None,
        *,
        key_ttl: timedelta = KEY_TTL,
        sync_retention: timedelta = SYNC_RETENTION,
        task_limit: int = TASK_LIMIT,
        occurrences: Occurrences | None = None,
        changes: AsyncChangeNotifier | None = None,
    ) -> None:
        # `changes`: poked after every write (`announcing`), and what `follow` follows.
        self._tasks = tasks if changes is None else AsyncAnnouncedTasks(tasks, changes)
        self._changes = changes
        self._now = clock or UtcClock()
        self._key_ttl = key_ttl
        self._sync_retention = sync_retention
        self._task_limit = task_limit
        self._rules = occurrences or recurring.NoOccurrences()

    async def list(self, owner: str) -> list[Task]:
        return await self._tasks.list(owner_id(owner))

    async def page(self, owner: str, query: TaskQuery) -> TaskPage:
        """One page of the tasks `query` keeps, and the cursor of the next, if any."""
        owner = owner_id(owner)
        return paged(owner, query, await self._tasks.list(owner, query.at(self._now())))

    async def tags(self, owner: str) -> TagCounts:
        """The owner's tags, each with how many of their tasks have it, ordered by tag."""
        return await self._tasks.tags(owner_id(owner))

    async def add(
        self,
        owner: str,
        title: str,
        description: str | None = None,
        completed: bool = False,
        **planned: Unpack[PlannedFields],
    ) -> Task:
        """A new task; `planned` are its optional fields (priority, tags, due_date or due_at,
        time_zone, recurrence, remind_at)."""
        new = self._new(title, description, completed, planned)
        task = await self._tasks.add(owner_id(owner), new, self._now(), self._task_limit)
        return added(task, self._task_limit)

    async def get(self, owner: str, task_id: int) -> Task:
        owner = owner_id(owner)
        task = await self._tasks.get(owner, task_id) if is_task_id(task_id_of(task_id)) else None
        return found(task_id, task)

    async def change(
        self,
        owner: str,
        task_id: int,
        *,
        expected: int | None = None,
        **fields: Unpack[ChangedFields],
    ) -> Task:
        """Set only the fields given (null clears an optional one); with none given, the task
        is returned as it is. With `expected`, only if the task is still at that version
        (else StaleTask). Completing an open recurring task rolls it forward."""
        changes = TaskChanges.of(**fields)
        owner = existing(owner, task_id)
        if not changes.fields:
            return current(await self.get(owner, task_id), expected)
        write = Change(task_id, changes, self._now(), expected)
        if not changes.reschedules:
            task = await self._tasks.change(owner, task_id, changes, write.now, expected)
            if task is not None or not may_roll(write):
                return await self._written(owner, task_id, expected, task)
        return found(task_id, (await self._made_whole(owner, write)).task)

    async def toggle(self, owner: str, task_id: int, expected: int | None = None) -> Task:
        """Flip `completed`; completing an open recurring task rolls it forward instead."""
        owner = existing(owner, task_id)
        write = Toggle(task_id, self._now(), expected)
        task = await self._tasks.toggle(owner, task_id, write.now, expected)
        return task or found(task_id, (await self._made_whole(owner, write)).task)

    async def remove(self, owner: str, task_id: int, expected: int | None = None) -> None:
        owner = existing(owner, task_id)
        if not await self._tasks.remove(owner, task_id, expected):
            await self._written(owner, task_id, expected, None)

    # The same writes under an idempotency key: a repeat of the request answers with the
    # first one's result (Done.replayed) instead of writing again.

    async def add_once(
        self,
        owner: str,
        key: str,
        title: str,
        description: str | None = None,
        completed: bool = False,
        **planned: Unpack[PlannedFields],
    ) -> Done:
        new = self._new(title, description, completed, planned)
        return await self._once(owner_id(owner), key, Add(new, self._now(), self._task_limit))

    async def change_once(
        self,
        owner: str,
        key: str,
        task_id: int,
        *,
        expected: int | None = None,
        **fields: Unpack[ChangedFields],
    ) -> Done:
        changes = TaskChanges.of(**fields)
        owner = existing(owner, task_id)
        if not changes.fields:  # not a write: nothing to keep
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
        """What changed since the sync that handed out `cursor` ("0": everything)."""
        owner = owner_id(owner)
        return synced(owner, await self._tasks.changed_since(owner, stamp_of(cursor, owner)))

    async def follow(self, owner: str, since: str | None = None) -> AsyncIterator[str]:
        """Cursors as the owner's tasks change, for as long as the caller iterates: see
        `following.changes`. Needs the service's change notifier (`changes`)."""
        return await following_async.changes(self._tasks, self._changes, owner_id(owner), since)

    async def purge(self) -> None:
        """Forget expired idempotency keys and tombstones (run it now and then: each replica's
        housekeeping does, and any may)."""
        now = self._now()
        await self._tasks.purge(now - self._key_ttl, now - self._sync_retention)

    async def _once(self, owner: str, key: str, write: Write) -> Done:
        keyed = IdempotencyKey.of(key, write, self._now(), self._key_ttl)
        if not reschedules(write):
            outcome = replayed(keyed, await self._tasks.write_once(owner, keyed, write))
            if outcome.done or not may_roll(write):
                if not outcome.done:
                    await self._written(owner, *target(write), None)
                return done(outcome)
        else:  # a retry must replay before the stored task is checked (it has changed since)
            prior = await self._tasks.kept(owner, keyed)
            if prior is not None:
                return done(replayed(keyed, prior))
        assert isinstance(write, Change | Toggle)
        return await self._made_whole(owner, write, keyed)

    def _new(
        self, title: str, description: str | None, completed: bool, planned: PlannedFields
    ) -> NewTask:
        return recurring.planned(NewTask.of(title, description, completed, **planned), self._rules)

    async def _made_whole(
        self, owner: str, write: Change | Toggle, keyed: IdempotencyKey | None = None
    ) -> Done:
        """A write the store does not make alone (completing an open recurring task, which
        rolls it; changing when a task is due or how it recurs, which is checked against the
        stored task), made against the stored task and written at the version read: made
        again when another write came between. Under `keyed`, kept as asked, so that a retry
        is recognised."""
        for _ in range(ATTEMPTS):
            task = current(await self.get(owner, write.task_id), write.expected)
            rewrite = recurring.rewritten(task, write, self._now(), self._rules)
            if keyed is not None:
                outcome = replayed(keyed, await self._tasks.write_once(owner, keyed, rewrite))
                if outcome.done:
                    return done(outcome)
                continue
            if isinstance(rewrite, Toggle):
                written = await self._tasks.toggle(owner, task.id, rewrite.now, task.version)
            else:
                changes = rewrite.changes
                written = await self._tasks.change(
                    owner, task.id, changes, rewrite.now, task.version
                )
            if written is not None:
                return Done(written)
        raise TaskBusy(write.task_id)

    async def _written(
        self, owner: str, task_id: int, expected: int | None, task: Task | None
    ) -> Task:
        """The written task; else why not: gone (TaskNotFound) or changed meanwhile."""
        if task is None and expected is not None and await self._tasks.get(owner, task_id):
            raise StaleTask(task_id)
        return found(task_id, task)
