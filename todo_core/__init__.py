"""The task domain: entities, rules, ports and use cases, on the standard library alone."""

from todo_core.clock import Clock, UtcClock
from todo_core.errors import (
    InvalidTask,
    InvalidToken,
    StorageTimeout,
    StorageUnavailable,
    TaskLimitReached,
    TaskNotFound,
    TodoError,
    TokenCheckUnavailable,
)
from todo_core.ports import TaskRepository, TokenVerifier
from todo_core.ports_async import AsyncTaskRepository, AsyncTokenVerifier
from todo_core.principal import Principal
from todo_core.service import TaskService
from todo_core.service_async import AsyncTaskService
from todo_core.tasks import UNSET, NewTask, Task, TaskChanges

__all__ = [
    "UNSET",
    "AsyncTaskRepository",
    "AsyncTaskService",
    "AsyncTokenVerifier",
    "Clock",
    "InvalidTask",
    "InvalidToken",
    "NewTask",
    "Principal",
    "StorageTimeout",
    "StorageUnavailable",
    "Task",
    "TaskChanges",
    "TaskLimitReached",
    "TaskNotFound",
    "TaskRepository",
    "TaskService",
    "TodoError",
    "TokenCheckUnavailable",
    "TokenVerifier",
    "UtcClock",
]
