"""Repositories as the contract suite holds them: any adapter behind the sync port.

`Awaited` drives an AsyncTaskRepository from plain, synchronous test code.

Each call runs on the event loop of an anyio blocking portal (a loop in a thread of its own),
so one contract suite, hypothesis state machine included, holds sync and async adapters to the
same behaviour. Calls from many threads at once become concurrent coroutines on that loop: the
concurrency tests exercise the async adapters for real.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from anyio.from_thread import BlockingPortal
from sqlalchemy import Engine

from todo_core.idempotency import IdempotencyKey, Outcome
from todo_core.listing import TaskQuery
from todo_core.ports import AsyncTaskRepository, TaskRepository
from todo_core.syncing import Delta
from todo_core.tasks import NewTask, Task, TaskChanges
from todo_core.writes import Write


class Awaited:
    """A TaskRepository over `tasks`, each call awaited on `portal`'s loop."""

    def __init__(self, tasks: AsyncTaskRepository, portal: BlockingPortal) -> None:
        self.tasks = tasks
        self._portal = portal

    def list(self, owner: str, query: TaskQuery | None = None) -> list[Task]:
        return self._portal.call(self.tasks.list, owner, query)

    def get(self, owner: str, task_id: int) -> Task | None:
        return self._portal.call(self.tasks.get, owner, task_id)

    def add(self, owner: str, new: NewTask, now: datetime, limit: int | None = None) -> Task | None:
        return self._portal.call(self.tasks.add, owner, new, now, limit)

    def change(
        self,
        owner: str,
        task_id: int,
        changes: TaskChanges,
        now: datetime,
        expected: int | None = None,
    ) -> Task | None:
        return self._portal.call(self.tasks.change, owner, task_id, changes, now, expected)

    def toggle(
        self, owner: str, task_id: int, now: datetime, expected: int | None = None
    ) -> Task | None:
        return self._portal.call(self.tasks.toggle, owner, task_id, now, expected)

    def remove(self, owner: str, task_id: int, expected: int | None = None) -> bool:
        return self._portal.call(self.tasks.remove, owner, task_id, expected)

    def write_once(self, owner: str, key: IdempotencyKey, write: Write) -> Outcome:
        return self._portal.call(self.tasks.write_once, owner, key, write)

    def changed_since(self, owner: str, stamp: int) -> Delta:
        return self._portal.call(self.tasks.changed_since, owner, stamp)

    def purge(self, keys_before: datetime, tombstones_before: datetime) -> None:
        self._portal.call(self.tasks.purge, keys_before, tombstones_before)


@dataclass(frozen=True)
class SqlStore:
    """A SQL adapter and the engine behind its table, for what depends on column types."""

    repository: TaskRepository
    engine: Engine


class Synchronously:
    """Any object with async methods, each call run to completion on a fresh event loop: for
    adapters and services that hold no loop-bound resource (memory), in plain test code."""

    def __init__(self, target: object) -> None:
        self._target = target

    def __getattr__(self, name: str) -> Callable[..., Any]:
        method = getattr(self._target, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            return asyncio.run(method(*args, **kwargs))

        return call
