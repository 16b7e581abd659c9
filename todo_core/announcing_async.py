"""A repository whose writes poke the owner's followers once they have committed.

Every write the service makes, a roll's and a keyed one's included, goes through one of these
methods, so wrapping the store (rather than each use case) misses none.
"""

from __future__ import annotations

from datetime import datetime

from todo_core.idempotency import IdempotencyKey, Outcome
from todo_core.ports_async import AsyncChangeNotifier, AsyncTaskRepository
from todo_core.tasks import NewTask, Task, TaskChanges
from todo_core.writes import Write


class AsyncAnnouncedTasks:
    """`tasks`, whose writes that took effect are announced to `changes`."""

    def __init__(self, tasks: AsyncTaskRepository, changes: AsyncChangeNotifier) -> None:
        self._tasks = tasks
        self._changes = changes
        # Reads are the store's own methods: no frame of ours on a request's read path.
        self.list = tasks.list
        self.get = tasks.get
        self.tags = tasks.tags
        self.kept = tasks.kept
        self.changed_since = tasks.changed_since
        self.sync_stamp = tasks.sync_stamp
        self.purge = tasks.purge

    async def add(
        self, owner: str, new: NewTask, now: datetime, limit: int | None = None
    ) -> Task | None:
        return await self._announced(owner, await self._tasks.add(owner, new, now, limit))

    async def change(
        self,
        owner: str,
        task_id: int,
        changes: TaskChanges,
        now: datetime,
        expected: int | None = None,
    ) -> Task | None:
        changed = await self._tasks.change(owner, task_id, changes, now, expected)
        return await self._announced(owner, changed)

    async def toggle(
        self, owner: str, task_id: int, now: datetime, expected: int | None = None
    ) -> Task | None:
        return await self._announced(owner, await self._tasks.toggle(owner, task_id, now, expected))

    async def remove(self, owner: str, task_id: int, expected: int | None = None) -> bool:
        removed = await self._tasks.remove(owner, task_id, expected)
        if removed:
            await self._changes.publish(owner)
        return removed

    async def write_once(self, owner: str, key: IdempotencyKey, write: Write) -> Outcome:
        outcome = await self._tasks.write_once(owner, key, write)
        if outcome.done and outcome.replayed_for is None:
            await self._changes.publish(owner)
        return outcome

    async def _announced(self, owner: str, task: Task | None) -> Task | None:
        if task is not None:
            await self._changes.publish(owner)
        return task
