"""The use cases: what a user can do with their tasks, whatever stores them or calls in.

Two twins, TaskService (plain calls) and AsyncTaskService (awaited), with the same methods,
errors and owner scoping. Neither holds a rule: validation lives in `tasks.py` and the checks
below, shared by both, so that the twins only orchestrate and cannot drift apart.
"""

from __future__ import annotations

from todo_core.clock import Clock, UtcClock
from todo_core.errors import InvalidTask, StaleTask, TaskNotFound
from todo_core.listing import TaskPage, TaskQuery
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

    def page(self, owner: str, query: TaskQuery) -> TaskPage:
        """One page of the tasks `query` keeps, and the cursor of the next, if any."""
        owner = owner_id(owner)
        return paged(owner, query, self._tasks.list(owner, query))

    def add(
        self, owner: str, title: object, description: object = None, completed: object = False
    ) -> Task:
        new = NewTask.of(title, description, completed)
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
        expected: int | None = None,
    ) -> Task:
        """Set only the fields given; with none given, the task is returned as it is. With
        `expected`, only if the task is still at that version (else StaleTask)."""
        changes = TaskChanges.of(title, description, completed)
        owner = existing(owner, task_id)
        if not changes.fields:
            return current(self.get(owner, task_id), expected)
        task = self._tasks.change(owner, task_id, changes, self._now(), expected)
        return self._written(owner, task_id, task, expected)

    def toggle(self, owner: str, task_id: int, expected: int | None = None) -> Task:
        owner = existing(owner, task_id)
        task = self._tasks.toggle(owner, task_id, self._now(), expected)
        return self._written(owner, task_id, task, expected)

    def remove(self, owner: str, task_id: int, expected: int | None = None) -> None:
        owner = existing(owner, task_id)
        if not self._tasks.remove(owner, task_id, expected):
            self._written(owner, task_id, None, expected)

    def _written(self, owner: str, task_id: int, task: Task | None, expected: int | None) -> Task:
        """The written task; else why not: gone (TaskNotFound) or changed meanwhile."""
        if task is None and expected is not None and self._tasks.get(owner, task_id):
            raise StaleTask(task_id)
        return found(task_id, task)


class AsyncTaskService:
    """TaskService for an event loop: the same use cases over an AsyncTaskRepository."""

    def __init__(self, tasks: AsyncTaskRepository, clock: Clock | None = None) -> None:
        self._tasks = tasks
        self._now = clock or UtcClock()

    async def list(self, owner: str) -> list[Task]:
        return await self._tasks.list(owner_id(owner))

    async def page(self, owner: str, query: TaskQuery) -> TaskPage:
        owner = owner_id(owner)
        return paged(owner, query, await self._tasks.list(owner, query))

    async def add(
        self, owner: str, title: object, description: object = None, completed: object = False
    ) -> Task:
        new = NewTask.of(title, description, completed)
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
        expected: int | None = None,
    ) -> Task:
        changes = TaskChanges.of(title, description, completed)
        owner = existing(owner, task_id)
        if not changes.fields:
            return current(await self.get(owner, task_id), expected)
        task = await self._tasks.change(owner, task_id, changes, self._now(), expected)
        return await self._written(owner, task_id, task, expected)

    async def toggle(self, owner: str, task_id: int, expected: int | None = None) -> Task:
        owner = existing(owner, task_id)
        task = await self._tasks.toggle(owner, task_id, self._now(), expected)
        return await self._written(owner, task_id, task, expected)

    async def remove(self, owner: str, task_id: int, expected: int | None = None) -> None:
        owner = existing(owner, task_id)
        if not await self._tasks.remove(owner, task_id, expected):
            await self._written(owner, task_id, None, expected)

    async def _written(
        self, owner: str, task_id: int, task: Task | None, expected: int | None
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
