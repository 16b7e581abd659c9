"""The use cases: what a user can do with their tasks, whatever stores them or calls in.

Two twins, TaskService (plain calls) and AsyncTaskService (awaited), with the same methods,
errors and owner scoping. Neither holds a rule: validation lives in `tasks.py` and the checks
below, shared by both, so that the twins only orchestrate and cannot drift apart.
"""

from __future__ import annotations

from todo_core.clock import Clock, UtcClock
from todo_core.errors import InvalidTask, TaskNotFound
from todo_core.ports import AsyncTaskRepository, TaskRepository
from todo_core.tasks import UNSET, NewTask, Task, TaskChanges, is_owner_id, is_task_id


class TaskService:
    """Owner-scoped task operations. The owner id comes from a verified token, never a URL.

    Every call names its owner, so there is no way to reach another user's task: it is simply
    not found. Invalid input raises InvalidTask before anything is stored.
    """

    def __init__(self, tasks: TaskRepository, clock: Clock | None = None) -> None:
        self._tasks = tasks
        self._now = clock or UtcClock()

    def list(self, owner: str) -> list[Task]:
        return self._tasks.list(owner_id(owner))

    def add(self, owner: str, title: object, description: object = None) -> Task:
        new = NewTask.of(title, description)
        return self._tasks.add(owner_id(owner), new, self._now())

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
    ) -> Task:
        """Set only the fields given; with none given, the task is returned as it is."""
        changes = TaskChanges.of(title, description, completed)
        owner = existing(owner, task_id)
        if not changes.fields:
            return self.get(owner, task_id)
        return found(task_id, self._tasks.change(owner, task_id, changes, self._now()))

    def toggle(self, owner: str, task_id: int) -> Task:
        owner = existing(owner, task_id)
        return found(task_id, self._tasks.toggle(owner, task_id, self._now()))

    def remove(self, owner: str, task_id: int) -> None:
        owner = existing(owner, task_id)
        if not self._tasks.remove(owner, task_id):
            raise TaskNotFound(task_id)


class AsyncTaskService:
    """TaskService for an event loop: the same use cases over an AsyncTaskRepository."""

    def __init__(self, tasks: AsyncTaskRepository, clock: Clock | None = None) -> None:
        self._tasks = tasks
        self._now = clock or UtcClock()

    async def list(self, owner: str) -> list[Task]:
        return await self._tasks.list(owner_id(owner))

    async def add(self, owner: str, title: object, description: object = None) -> Task:
        new = NewTask.of(title, description)
        return await self._tasks.add(owner_id(owner), new, self._now())

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
    ) -> Task:
        """Set only the fields given; with none given, the task is returned as it is."""
        changes = TaskChanges.of(title, description, completed)
        owner = existing(owner, task_id)
        if not changes.fields:
            return await self.get(owner, task_id)
        return found(task_id, await self._tasks.change(owner, task_id, changes, self._now()))

    async def toggle(self, owner: str, task_id: int) -> Task:
        owner = existing(owner, task_id)
        return found(task_id, await self._tasks.toggle(owner, task_id, self._now()))

    async def remove(self, owner: str, task_id: int) -> None:
        owner = existing(owner, task_id)
        if not await self._tasks.remove(owner, task_id):
            raise TaskNotFound(task_id)


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
