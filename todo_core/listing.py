"""How a user's tasks are listed: filters, an order, and pages a client walks with a cursor.

Pages are keyset pages: a cursor holds the sort key of the last task handed out, and the next
page starts strictly after it. Unlike an offset, that neither repeats nor skips a task when
tasks are added or deleted between pages. The cursor is opaque to clients; it also names the
query it belongs to and (by a digest) its owner, so that it cannot be replayed against another
query or by another user.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from todo_core import cursors
from todo_core.errors import InvalidCursor, InvalidQuery
from todo_core.tasks import Task, check_title, is_task_id

LIMIT_MAX: Final = 500
TEXT_MAX: Final = 100
CURSOR_MAX: Final = 2048
SORTS: Final = (
    "id",
    "-id",
    "created_at",
    "-created_at",
    "updated_at",
    "-updated_at",
    "title",
    "-title",
)
SortKey = tuple[object, int]  # (the sort field's value, the id), ties broken by id


@dataclass(frozen=True, slots=True)
class TaskQuery:
    """Which of a user's tasks, in what order, how many. The default is the whole list by id,
    as the seed's contract has it."""

    completed: bool | None = None
    text: str | None = None  # a case-insensitive substring of the title or the description
    sort: str = "id"
    limit: int | None = None
    after: SortKey | None = None  # start strictly after this key (from a cursor)

    @classmethod
    def of(
        cls,
        *,
        completed: bool | None = None,
        text: str | None = None,
        sort: str = "id",
        limit: int | None = None,
        cursor: str | None = None,
        owner: str = "",
    ) -> TaskQuery:
        """A checked query; `cursor` must come from a page of this same query and owner."""
        if sort not in SORTS:
            raise InvalidQuery("sort", f"must be one of {', '.join(SORTS)}")
        if limit is not None and not (type(limit) is int and 1 <= limit <= LIMIT_MAX):
            raise InvalidQuery("limit", f"must be an integer from 1 to {LIMIT_MAX}")
        if text is not None and not (isinstance(text, str) and 1 <= len(text) <= TEXT_MAX):
            raise InvalidQuery("q", f"must be 1 to {TEXT_MAX} characters")
        if text is not None and ("\x00" in text or _has_surrogate(text)):
            raise InvalidQuery("q", "must not contain NUL or lone surrogates")
        query = cls(completed, text, sort, limit)
        if cursor is None:
            return query
        return cls(completed, text, sort, limit, query._decode(cursor, owner))

    @property
    def field(self) -> str:
        return self.sort.removeprefix("-")

    @property
    def descending(self) -> bool:
        return self.sort.startswith("-")

    def key_of(self, task: Task) -> SortKey:
        return (getattr(task, self.field), task.id)

    def matches(self, task: Task) -> bool:
        """Whether the filters keep `task` (the in-memory stores' rule; SQL says the same)."""
        if self.completed is not None and task.completed is not self.completed:
            return False
        if self.text is None:
            return True
        needle = self.text.lower()
        return needle in task.title.lower() or needle in (task.description or "").lower()

    def cursor_after(self, task: Task, owner: str) -> str:
        """The opaque cursor of the page that starts after `task`."""
        value: object = getattr(task, self.field)
        if isinstance(value, datetime):
            value = value.astimezone(UTC).isoformat()
        return cursors.encode({"v": 1, "q": self._fingerprint(owner), "k": [value, task.id]})

    def _fingerprint(self, owner: str) -> str:
        """The owner and the query a cursor belongs to, as a digest (no user id in clear)."""
        query = [owner, self.completed, self.text, self.sort]
        return cursors.digest(json.dumps(query, ensure_ascii=False))

    def _decode(self, cursor: str, owner: str) -> SortKey:
        try:
            document = cursors.decode(cursor, CURSOR_MAX)
            if document.get("v") != 1 or document.get("q") != self._fingerprint(owner):
                raise ValueError
            key = document["k"]
            if not isinstance(key, list) or len(key) != 2:
                raise ValueError
            value, task_id = key
            if not is_task_id(task_id):
                raise ValueError
            return (self._sort_value(value), task_id)
        except (
            ValueError,  # json's and Unicode's errors among them
            TypeError,
            KeyError,
            OverflowError,  # a date at the calendar's edge moved to UTC
        ) as error:
            raise InvalidCursor() from error

    def _sort_value(self, value: object) -> object:
        if self.field == "id":
            if not is_task_id(value):
                raise ValueError
            return value
        if self.field == "title":
            check_title(value)  # no title that could not be stored (NUL, surrogates, length)
            return value
        if not isinstance(value, str):
            raise ValueError
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise ValueError
        return moment.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class TaskPage:
    """One page of a list: its tasks, and the cursor of the next page (None on the last)."""

    tasks: list[Task]
    next_cursor: str | None = None


def is_after(key: SortKey, after: SortKey, descending: bool) -> bool:
    """Whether `key` comes strictly after `after` in the query's order."""
    return key < after if descending else key > after


def _has_surrogate(text: str) -> bool:
    return any("\ud800" <= char <= "\udfff" for char in text)
