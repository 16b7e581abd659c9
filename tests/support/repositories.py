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
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from functools import partial
from typing import Any

from anyio.from_thread import BlockingPortal
from sqlalchemy import Engine

from todo_adapters.forwarding import forward_each
from todo_core.ports import TaskRepository
from todo_core.ports_async import AsyncTaskRepository
from todo_core.tasks import Task


class Awaited:
    """A TaskRepository over `tasks`, each call awaited on `portal`'s loop."""

    def __init__(self, tasks: AsyncTaskRepository, portal: BlockingPortal) -> None:
        self.tasks = tasks
        forward_each(self, tasks, lambda _, method: _awaited(portal, method))


def _awaited(portal: BlockingPortal, method: Callable[..., Any]) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        return portal.call(partial(method, *args, **kwargs))

    return call


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


class RecordingObserver:
    """An Observer that notes the operation of every call to the task store."""

    def __init__(self) -> None:
        self.operations: list[str] = []

    def database_call(self, operation: str) -> AbstractContextManager[object]:
        self.operations.append(operation)
        return nullcontext()

    def key_fetch(self) -> AbstractContextManager[object]:
        return nullcontext()

    def token_checked(self, outcome: str) -> None:
        return None


def written(task: Task | None) -> Task:
    """The task a store's write returned, where the test expects that write to happen (a
    store answers None for a write it did not make)."""
    assert task is not None, "the write did not happen"
    return task
