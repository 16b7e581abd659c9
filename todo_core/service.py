"""The use cases: what a user can do with their tasks, whatever stores them or calls in."""

from __future__ import annotations

from todo_core.clock import Clock, UtcClock
from todo_core.errors import InvalidTask, TaskNotFound
from todo_core.ports import TaskRepository
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
        return self._tasks.list(_owner(owner))

    def add(self, owner: str, title: object, description: object = None) -> Task:
        new = NewTask.of(title, description)
        return self._tasks.add(_owner(owner), new, self._now())

    def get(self, owner: str, task_id: int) -> Task:
        owner = _owner(owner)
        return _found(task_id, self._tasks.get(owner, task_id) if is_task_id(task_id) else None)

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
        owner = _owner(owner)
        if not is_task_id(task_id):
            raise TaskNotFound(task_id)
        if not changes.fields:
            return self.get(owner, task_id)
        return _found(task_id, self._tasks.change(owner, task_id, changes, self._now()))

    def toggle(self, owner: str, task_id: int) -> Task:
        owner = _owner(owner)
        if not is_task_id(task_id):
            raise TaskNotFound(task_id)
        return _found(task_id, self._tasks.toggle(owner, task_id, self._now()))

    def remove(self, owner: str, task_id: int) -> None:
        owner = _owner(owner)
        if not (is_task_id(task_id) and self._tasks.remove(owner, task_id)):
            raise TaskNotFound(task_id)


def _owner(owner: str) -> str:
    if not is_owner_id(owner):
        raise InvalidTask({"user_id": "is not a valid owner id"})
    return owner


def _found(task_id: int, task: Task | None) -> Task:
    if task is None:
        raise TaskNotFound(task_id)
    return task
