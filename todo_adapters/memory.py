"""Tasks in memory, in both flavours: the fake for tests, and a real store for importers.

Callers get copies of what is stored, as from a database: changing a task handed out changes
nothing stored.

The contract suite (tests/contract) holds both to exactly the behaviour of the SQL adapters.
"""

from __future__ import annotations

import itertools
import threading
from copy import copy
from dataclasses import replace
from datetime import UTC, datetime

from todo_core.tasks import NewTask, Task, TaskChanges


class InMemoryTaskRepository:
    """Tasks in a dict per owner; one lock makes every method atomic across threads."""

    def __init__(self) -> None:
        self._by_owner: dict[str, dict[int, Task]] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def list(self, owner: str) -> list[Task]:
        with self._lock:
            tasks = sorted(self._by_owner.get(owner, {}).values(), key=lambda task: task.id)
        return [copy(task) for task in tasks]

    def get(self, owner: str, task_id: int) -> Task | None:
        with self._lock:
            task = self._by_owner.get(owner, {}).get(task_id)
        return None if task is None else copy(task)

    def add(self, owner: str, new: NewTask, now: datetime) -> Task:
        now = _utc(now)
        with self._lock:
            task = Task(next(self._ids), owner, new.title, new.description, False, now, now)
            self._by_owner.setdefault(owner, {})[task.id] = task
            return copy(task)

    def change(self, owner: str, task_id: int, changes: TaskChanges, now: datetime) -> Task | None:
        with self._lock:
            return self._replace(owner, task_id, updated_at=_utc(now), **changes.values())

    def toggle(self, owner: str, task_id: int, now: datetime) -> Task | None:
        with self._lock:
            task = self._by_owner.get(owner, {}).get(task_id)
            if task is None:
                return None
            return self._replace(owner, task_id, completed=not task.completed, updated_at=_utc(now))

    def remove(self, owner: str, task_id: int) -> bool:
        with self._lock:
            return self._by_owner.get(owner, {}).pop(task_id, None) is not None

    def _replace(self, owner: str, task_id: int, **fields: object) -> Task | None:
        tasks = self._by_owner.get(owner, {})
        if task_id not in tasks:
            return None
        tasks[task_id] = replace(tasks[task_id], **fields)  # type: ignore[arg-type]
        return copy(tasks[task_id])


class AsyncInMemoryTaskRepository:
    """The same store, awaited: every method returns at once (memory never waits), so there is
    no thread to hop to and nothing to time out."""

    def __init__(self) -> None:
        self._tasks = InMemoryTaskRepository()

    async def list(self, owner: str) -> list[Task]:
        return self._tasks.list(owner)

    async def get(self, owner: str, task_id: int) -> Task | None:
        return self._tasks.get(owner, task_id)

    async def add(self, owner: str, new: NewTask, now: datetime) -> Task:
        return self._tasks.add(owner, new, now)

    async def change(
        self, owner: str, task_id: int, changes: TaskChanges, now: datetime
    ) -> Task | None:
        return self._tasks.change(owner, task_id, changes, now)

    async def toggle(self, owner: str, task_id: int, now: datetime) -> Task | None:
        return self._tasks.toggle(owner, task_id, now)

    async def remove(self, owner: str, task_id: int) -> bool:
        return self._tasks.remove(owner, task_id)


def _utc(moment: datetime) -> datetime:
    """Store UTC like the SQL adapters do; a naive time is a bug in the caller."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: timestamps must be timezone-aware")
    return moment.astimezone(UTC)
