"""The task domain: entities, rules, ports and use cases, on the standard library alone.

Everything an importer needs is here, in both flavours: the services, the ports, the values
they take and give, and every error they raise.
"""

from todo_core.clock import Clock, UtcClock
from todo_core.errors import (
    IdempotencyKeyInUse,
    IdempotencyKeyReused,
    InvalidCursor,
    InvalidIdempotencyKey,
    InvalidQuery,
    InvalidSyncCursor,
    InvalidTask,
    InvalidToken,
    StaleTask,
    StorageRefused,
    StorageTimeout,
    StorageUnavailable,
    SyncExpired,
    TaskBusy,
    TaskLimitReached,
    TaskNotFound,
    TodoError,
    TokenCheckUnavailable,
    TokenExpired,
)
from todo_core.idempotency import Done
from todo_core.listing import TaskPage, TaskQuery
from todo_core.planned_lists import TagCount
from todo_core.planning import Recurrence
from todo_core.ports import ChangeNotifier, Pokes, TaskRepository, TokenVerifier
from todo_core.ports_async import (
    AsyncChangeNotifier,
    AsyncPokes,
    AsyncTaskRepository,
    AsyncTokenVerifier,
)
from todo_core.principal import Principal
from todo_core.service import TaskService
from todo_core.service_async import AsyncTaskService
from todo_core.syncing import Changes
from todo_core.tasks import UNSET, NewTask, Task, TaskChanges

__all__ = [
    "UNSET",
    "AsyncChangeNotifier",
    "AsyncPokes",
    "AsyncTaskRepository",
    "AsyncTaskService",
    "AsyncTokenVerifier",
    "ChangeNotifier",
    "Changes",
    "Clock",
    "Done",
    "IdempotencyKeyInUse",
    "IdempotencyKeyReused",
    "InvalidCursor",
    "InvalidIdempotencyKey",
    "InvalidQuery",
    "InvalidSyncCursor",
    "InvalidTask",
    "InvalidToken",
    "NewTask",
    "Pokes",
    "Principal",
    "Recurrence",
    "StaleTask",
    "StorageRefused",
    "StorageTimeout",
    "StorageUnavailable",
    "SyncExpired",
    "TagCount",
    "Task",
    "TaskBusy",
    "TaskChanges",
    "TaskLimitReached",
    "TaskNotFound",
    "TaskPage",
    "TaskQuery",
    "TaskRepository",
    "TaskService",
    "TodoError",
    "TokenCheckUnavailable",
    "TokenExpired",
    "TokenVerifier",
    "UtcClock",
]
