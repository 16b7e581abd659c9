"""Tasks in memory, in both flavours: the fake for tests, and a real store for importers."""

from todo_adapters.memory.store import InMemoryTaskRepository
from todo_adapters.memory.store_async import AsyncInMemoryTaskRepository

__all__ = ["AsyncInMemoryTaskRepository", "InMemoryTaskRepository"]
