"""Faults injected through the container: a bug where the test wants one."""

from __future__ import annotations

from dependency_injector import providers

from todo_adapters.memory import AsyncInMemoryTaskRepository
from todo_api.container import Container
from todo_api.resources.task_store import memory_store
from todo_core.errors import StorageUnavailable
from todo_core.listing import TaskQuery
from todo_core.syncing import Delta
from todo_core.tasks import Task

BROKEN_OWNER = "broken"


class BrokenRepository(AsyncInMemoryTaskRepository):
    """Tasks in memory, except that listing `broken_owner`'s (everyone's with None) raises,
    as a bug would."""

    def __init__(self, broken_owner: str | None = BROKEN_OWNER) -> None:
        super().__init__()
        self.broken_owner = broken_owner

    async def list(self, owner: str, query: TaskQuery | None = None) -> list[Task]:
        if self.broken_owner in (None, owner):
            raise RuntimeError("a bug in the task store (test fault)")
        return await super().list(owner, query)


def use_broken_store(container: Container, broken_owner: str | None = BROKEN_OWNER) -> None:
    repository = BrokenRepository(broken_owner)
    container.task_store.override(providers.Object(memory_store(repository)))


class UnsyncableRepository(AsyncInMemoryTaskRepository):
    """Tasks in memory whose sync fails, once `failing` is set, as a store gone away does."""

    def __init__(self) -> None:
        super().__init__()
        self.failing = False

    async def changed_since(self, owner: str, stamp: int) -> Delta:
        if self.failing:
            raise StorageUnavailable()
        return await super().changed_since(owner, stamp)
