"""A synchronous TaskRepository served to async callers: each call on a bounded thread pool,
under a deadline. It is how the embedded SQLite store (whose driver has no async flavour)
serves the async request path, and it fits any other sync repository just as well."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable
from concurrent.futures import Executor
from functools import partial
from typing import TypeVar, cast

from todo_adapters.deadline import Attempt, NotStarted, within
from todo_adapters.forwarding import forward_each
from todo_core.ports import TaskRepository
from todo_core.ports_async import AsyncTaskRepository

T = TypeVar("T")


class ThreadedTaskRepository:
    """AsyncTaskRepository over `tasks` (see `port`), never blocking the event loop.

    A few threads beat many: each extra one only adds contention for the GIL (the docs'
    performance page). A call still waiting for a thread when `timeout_seconds` run out never
    ran (StorageUnavailable); one that started is abandoned to finish on its own
    (StorageTimeout: it may have happened).
    """

    def __init__(self, tasks: TaskRepository, threads: Executor, timeout_seconds: float) -> None:
        self._threads = threads
        self._timeout = timeout_seconds
        forward_each(self, tasks, lambda _, method: partial(self.run, method))

    @property
    def port(self) -> AsyncTaskRepository:
        """This object, as the port it implements (its methods are set per instance)."""
        return cast(AsyncTaskRepository, self)

    async def run(self, call: Callable[..., T], *args: object, **kwargs: object) -> T:
        """`call(*args, **kwargs)` on one of the threads (with the caller's context: log lines
        keep their request id), within the deadline."""
        attempt = Attempt()
        context = contextvars.copy_context()

        def started() -> T:
            if not attempt.reach():
                raise NotStarted  # the caller was told "did not happen": keep it so
            return context.run(call, *args, **kwargs)

        work = asyncio.get_running_loop().run_in_executor(self._threads, started)
        return await within(self._timeout, attempt, work)
