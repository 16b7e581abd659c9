"""What can go wrong in the task domain, in the domain's words.

Adapters translate these into their own vocabulary (the HTTP layer into status codes); nothing
in here knows about HTTP or SQL.
"""

from typing import Literal


class TodoError(Exception):
    """Base of every error the domain and its ports raise on purpose."""


class TaskLimitReached(TodoError):
    """The owner already has as many tasks as one may have; nothing was added."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"You have {limit} tasks, the most allowed: delete some to add more")


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


class InvalidQuery(TodoError):
    """A list query a store cannot answer: a bad filter, order or page size."""

    def __init__(self, parameter: str, why: str) -> None:
        super().__init__(f"{parameter}: {why}")
        self.parameter = parameter
        self.why = why


class InvalidCursor(InvalidQuery):
    """A page cursor that no page of this query and owner handed out: forged, damaged, from
    another list or another user."""

    def __init__(self) -> None:
        super().__init__("cursor", "is not a cursor from a page of this list with these parameters")


class InvalidSyncCursor(InvalidCursor):
    """A `changed_since` that no sync of this user handed out (nor 0, the first sync's)."""

    def __init__(self) -> None:
        InvalidQuery.__init__(
            self, "changed_since", "is not 0 or a cursor from a sync of this list"
        )


class StaleTask(TodoError):
    """The task changed since the caller read it (its version is not the one they expect):
    nothing was changed; read it again and decide."""

    def __init__(self, task_id: int) -> None:
        super().__init__(f"Task {task_id} has changed since it was read")
        self.task_id = task_id


class TaskBusy(TodoError):
    """Other writes to the task kept landing between reading it and writing it (a roll, a
    reschedule): nothing was changed; retry."""

    def __init__(self, task_id: int) -> None:
        super().__init__(f"Task {task_id} is being changed by other requests; retry")
        self.task_id = task_id


# Why a token is refused, as the log names it.
TokenProblem = Literal[
    "malformed",  # not a JWT, or a header or claims that do not parse
    "too_long",  # over the size any real token has
    "bad_signature",
    "expired",
    "not_yet_valid",  # nbf or iat in the future
    "wrong_issuer",
    "wrong_audience",
    "missing_claim",
    "no_user",  # no usable user id in sub / user_id
    "unknown_key",  # a kid the key set does not publish
    "algorithm_not_allowed",
]


class InvalidToken(TodoError):
    """The bearer token cannot identify a user (missing, malformed, forged, ...).

    `reason` is for the caller; `why` and `note` are for the operator's log: they say which
    check refused the token, so that a misconfigured issuer does not look like an attack.
    Neither ever holds the token itself.
    """

    def __init__(
        self, reason: str = "Invalid token", *, why: TokenProblem = "malformed", note: str = ""
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.why = why
        self.note = note


class TokenExpired(InvalidToken):
    """A token that was good and is now too old: the caller should get a fresh one and retry,
    not sign the user out."""

    def __init__(self) -> None:
        super().__init__("The token has expired", why="expired")


class StorageUnavailable(TodoError):
    """The task store cannot be reached right now; the operation did not happen."""


class StorageRefused(StorageUnavailable):
    """The task store refuses us for a reason trying again cannot cure: a database or role
    that does not exist, a wrong password, an SSL setting it will not take. The message is
    the database's own reason (never a password)."""


class TokenCheckUnavailable(TodoError):
    """A token cannot be checked right now (its signing keys cannot be fetched).

    Neither the caller's fault nor proof of a forgery: the request should be retried, and it
    did nothing.
    """


class StorageTimeout(TodoError):
    """The task store did not answer in time. Unlike StorageUnavailable, the operation had
    been sent: a change may or may not have been made (read the task to find out)."""


class InvalidIdempotencyKey(TodoError):
    """An idempotency key no request may carry: empty, too long, or not printable ASCII."""


class IdempotencyKeyReused(TodoError):
    """The key was first used for another request: reusing it for this one would answer it
    with the other's result. Nothing was changed."""


class IdempotencyKeyInUse(TodoError):
    """The first request with this key is still running: retry shortly, and it answers with
    that request's result. Nothing was changed by this one."""


class SyncExpired(TodoError):
    """The sync cursor is older than the deletions still on record: changes since then can no
    longer be told apart; the client reloads everything (`changed_since=0`)."""
