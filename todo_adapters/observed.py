"""Any AsyncTaskRepository with each call reported to an Observer, named by its operation
(`list`, `get`, `add`, ...). The store itself stays unaware of it."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, cast

from todo_adapters.forwarding import Method, forward_each
from todo_adapters.observing import Observer, Unobserved
from todo_core.ports_async import AsyncTaskRepository


def observed(tasks: AsyncTaskRepository, observer: Observer) -> AsyncTaskRepository:
    """`tasks` reporting to `observer`; `tasks` itself when nobody watches (no cost at all)."""
    if isinstance(observer, Unobserved):
        return tasks
    return cast(AsyncTaskRepository, ObservedTaskRepository(tasks, observer))


class ObservedTaskRepository:
    """Every method of the port, each call inside `observer.database_call(its name)`."""

    def __init__(self, tasks: AsyncTaskRepository, observer: Observer) -> None:
        call = observer.database_call
        forward_each(self, tasks, lambda name, method: _observed(call, name, method))


def _observed(
    call: Callable[[str], AbstractContextManager[object]], operation: str, method: Method
) -> Method:
    async def observed_call(*args: Any, **kwargs: Any) -> Any:
        with call(operation):
            return await method(*args, **kwargs)

    return observed_call
