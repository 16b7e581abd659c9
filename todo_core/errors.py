"""What can go wrong in the task domain, in the domain's words.

Adapters translate these into their own vocabulary (the HTTP layer into status codes); nothing
in here knows about HTTP or SQL.
"""


class TodoError(Exception):
    """Base of every error the domain and its ports raise on purpose."""


class TaskNotFound(TodoError):
    """No such task for this owner: unknown, another user's, or an id out of range.

    One error for all three so that a caller can never learn that another user's task exists.
    """

    def __init__(self, task_id: int) -> None:
        super().__init__(f"Task {task_id} not found")
        self.task_id = task_id


class InvalidTask(TodoError):
    """The task fields break a rule; `problems` maps each field to what is wrong with it."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {why}" for field, why in problems.items()))
        self.problems = problems


class InvalidToken(TodoError):
    """The bearer token cannot identify a user (missing, malformed, expired, forged, ...)."""

    def __init__(self, reason: str = "Invalid token") -> None:
        super().__init__(reason)
        self.reason = reason


class StorageUnavailable(TodoError):
    """The task store cannot be reached right now; the operation did not happen."""


class TokenCheckUnavailable(TodoError):
    """A token cannot be checked right now (its signing keys cannot be fetched).

    Neither the caller's fault nor proof of a forgery: the request should be retried, and it
    did nothing.
    """


class StorageTimeout(TodoError):
    """The task store did not answer in time. Unlike StorageUnavailable, the operation had
    been sent: a change may or may not have been made (read the task to find out)."""
