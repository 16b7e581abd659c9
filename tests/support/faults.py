"""Faults injected through the container: a bug where the test wants one."""

from __future__ import annotations

from dependency_injector import providers

from todo_adapters.memory import AsyncInMemoryTaskRepository
from todo_api.container import Container
from todo_api.stores import memory_store
from todo_core.tasks import Task

BROKEN_OWNER = "broken"


class BrokenRepository(AsyncInMemoryTaskRepository):
    """Tasks in memory, except that listing BROKEN_OWNER's raises, as a bug would."""

    async def list(self, owner: str) -> list[Task]:
        if owner == BROKEN_OWNER:
            raise RuntimeError("a bug in the task store (test fault)")
        return await super().list(owner)


def use_broken_store(container: Container) -> BrokenRepository:
    repository = BrokenRepository()
    container.task_store.override(providers.Object(memory_store(repository)))
    return repository
