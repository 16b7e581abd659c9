"""What both service twins check before they call the store, and make of what it answers.

Kept apart from the services so that the generated sync twin imports these instead of
carrying a second copy.
"""

from __future__ import annotations

from todo_core.errors import InvalidTask, StaleTask, TaskLimitReached, TaskNotFound
from todo_core.idempotency import Done, Outcome
from todo_core.listing import TaskPage, TaskQuery
from todo_core.syncing import Changes, Delta, cursor_of
from todo_core.tasks import Task, is_owner_id, is_task_id
from todo_core.writes import Add, Change, Toggle, Write


def owner_id(owner: str) -> str:
    """The owner, if it can own tasks at all (it comes from a token, and stores index it)."""
    if not is_owner_id(owner):
        raise InvalidTask({"user_id": "is not a valid owner id"})
    return owner


def existing(owner: str, task_id: int) -> str:
    """The owner of a call about one task; an id no task can have is simply not found."""
    owner = owner_id(owner)
    if not is_task_id(task_id_of(task_id)):
        raise TaskNotFound(task_id)
    return owner


def task_id_of(task_id: object) -> object:
    """`task_id`, if it is an integer at all: "1" is no id, and saying "Task 1 not found" of
    a task that exists would mislead the caller (a programming error, so a TypeError)."""
    if isinstance(task_id, bool) or not isinstance(task_id, int):
        raise TypeError(f"a task id is an int, not {type(task_id).__name__}: {task_id!r:.40}")
    return task_id


def found(task_id: int, task: Task | None) -> Task:
    if task is None:
        raise TaskNotFound(task_id)
    return task


def current(task: Task, expected: int | None) -> Task:
    """`task`, if it is at the version the caller expects (any, when None)."""
    if expected is not None and task.version != expected:
        raise StaleTask(task.id)
    return task


def paged(owner: str, query: TaskQuery, tasks: list[Task]) -> TaskPage:
    """A page from what the store returned: one task past the limit means another page."""
    if query.limit is None or len(tasks) <= query.limit:
        return TaskPage(tasks)
    tasks = tasks[: query.limit]
    return TaskPage(tasks, query.cursor_after(tasks[-1], owner))


def added(task: Task | None, limit: int) -> Task:
    """The added task; no task means the owner had `limit` already."""
    if task is None:
        raise TaskLimitReached(limit)
    return task


def target(write: Write) -> tuple[int, int | None]:
    """The task a write that did not happen was aimed at, and the version it expected (a
    creation that did not happen was over the limit)."""
    if isinstance(write, Add):
        raise TaskLimitReached(write.limit or 0)
    return write.task_id, write.expected


def done(outcome: Outcome) -> Done:
    return Done(outcome.task, replayed=outcome.replayed_for is not None)


def synced(owner: str, delta: Delta) -> Changes:
    return Changes(delta.tasks, delta.deleted, cursor_of(delta.stamp, owner))


def reschedules(write: Write) -> bool:
    """Whether a write changes when a task is due or how it recurs: the service makes it
    whole against the stored task first."""
    return isinstance(write, Change) and write.changes.reschedules


def may_roll(write: Write) -> bool:
    """Whether a write the store did not make may have completed an open recurring task."""
    return isinstance(write, Toggle) or (
        isinstance(write, Change) and write.changes.completed is True
    )
