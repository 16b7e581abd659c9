"""Tasks in memory, in both flavours: the fake for tests, and a real store for importers;
and the change notifier of one process."""

from todo_adapters.memory.changes import InMemoryChangeNotifier
from todo_adapters.memory.changes_async import AsyncInMemoryChangeNotifier
from todo_adapters.memory.store import InMemoryTaskRepository
from todo_adapters.memory.store_async import AsyncInMemoryTaskRepository

__all__ = [
    "AsyncInMemoryChangeNotifier",
    "AsyncInMemoryTaskRepository",
    "InMemoryChangeNotifier",
    "InMemoryTaskRepository",
]
