"""What the API keeps tasks in, whichever store the settings chose (`stores`), and the one
kept in the process for tests and demos."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from todo_core.ports_async import AsyncTaskRepository


@dataclass(frozen=True)
class TaskStore:
    repository: AsyncTaskRepository
    ping: Callable[[], Awaitable[None]]  # one round trip; raises when unreachable
    where: str  # kind and host, for the start-up line; never a password
    pool_stats: Callable[[], Mapping[str, int]] | None = None  # psycopg_pool's, for metrics


async def _always_ready() -> None:
    return None


def memory_store(repository: AsyncTaskRepository) -> TaskStore:
    """Tasks kept in the process (tests, demos): always reachable, gone when it exits."""
    return TaskStore(repository, _always_ready, "memory (nothing is kept after exit)")
