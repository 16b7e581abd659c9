"""ObservedTaskRepository: any AsyncTaskRepository with each call reported to an Observer,
named by its operation (`list`, `get`, `add`, ...). The store itself stays unaware of it."""

from __future__ import annotations

from datetime import datetime

from todo_adapters.observing import Observer, Unobserved
from todo_core.idempotency import IdempotencyKey, Outcome
from todo_core.listing import TaskQuery
from todo_core.ports import AsyncTaskRepository
from todo_core.syncing import Delta
from todo_core.tasks import NewTask, Task, TaskChanges
from todo_core.writes import Write


def observed(tasks: AsyncTaskRepository, observer: Observer) -> AsyncTaskRepository:
    """`tasks` reporting to `observer`; `tasks` itself when nobody watches (no cost at all)."""
    return tasks if isinstance(observer, Unobserved) else ObservedTaskRepository(tasks, observer)


class ObservedTaskRepository:
    def __init__(self, tasks: AsyncTaskRepository, observer: Observer) -> None:
        self._tasks = tasks
        self._call = observer.database_call

    async def list(self, owner: str, query: TaskQuery | None = None) -> list[Task]:
        with self._call("list"):
            return await self._tasks.list(owner, query)

    async def get(self, owner: str, task_id: int) -> Task | None:
        with self._call("get"):
            return await self._tasks.get(owner, task_id)

    async def add(
        self, owner: str, new: NewTask, now: datetime, limit: int | None = None
    ) -> Task | None:
        with self._call("add"):
            return await self._tasks.add(owner, new, now, limit)

    async def change(
        self,
        owner: str,
        task_id: int,
        changes: TaskChanges,
        now: datetime,
        expected: int | None = None,
    ) -> Task | None:
        with self._call("change"):
            return await self._tasks.change(owner, task_id, changes, now, expected)

    async def toggle(
        self, owner: str, task_id: int, now: datetime, expected: int | None = None
    ) -> Task | None:
        with self._call("toggle"):
            return await self._tasks.toggle(owner, task_id, now, expected)

    async def remove(self, owner: str, task_id: int, expected: int | None = None) -> bool:
        with self._call("remove"):
            return await self._tasks.remove(owner, task_id, expected)

    async def write_once(self, owner: str, key: IdempotencyKey, write: Write) -> Outcome:
        with self._call("write_once"):
            return await self._tasks.write_once(owner, key, write)

    async def changed_since(self, owner: str, stamp: int) -> Delta:
        with self._call("changed_since"):
            return await self._tasks.changed_since(owner, stamp)

    async def purge(self, keys_before: datetime, tombstones_before: datetime) -> None:
        with self._call("purge"):
            await self._tasks.purge(keys_before, tombstones_before)
