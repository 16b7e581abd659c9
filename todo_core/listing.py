"""How a user's tasks are listed: filters, an order, and pages a client walks with a cursor.

Pages are keyset pages: a cursor holds the sort key of the last task handed out, and the next
page starts strictly after it. Unlike an offset, that neither repeats nor skips a task when
tasks are added or deleted between pages. The cursor is opaque to clients; it also names the
query it belongs to and (by a digest) its owner, so that it cannot be replayed against another
query or by another user.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Final

from todo_core import cursors
from todo_core.derived import due_start
from todo_core.errors import InvalidCursor, InvalidQuery
from todo_core.planned_lists import (
    Bound,
    bound_text,
    checked_bound,
    checked_flag,
    checked_priorities,
    checked_tags,
    keeps,
)
from todo_core.planning import RANK
from todo_core.tasks import Task, check_title, is_task_id

LIMIT_MAX: Final = 500
TEXT_MAX: Final = 100
CURSOR_MAX: Final = 2048
# Each field, then descending. `priority` goes low to high; `due` soonest first (a day from
# its start in the task's zone), and a task without a due comes last both ways.
SORTS: Final = (
    *("id", "-id", "created_at", "-created_at", "updated_at", "-updated_at", "title", "-title"),
    *("priority", "-priority", "due", "-due"),
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
    # The planning filters (`planned`): any of these priorities; all of these tags (folded,
    # `derived.tag_keys`); due before (exclusive) or on or after (inclusive) a day or an
    # instant; overdue (at `now`, which the service sets) or not; with a due or without.
    priorities: tuple[str, ...] | None = None
    tags: tuple[str, ...] | None = None
    due_before: Bound | None = None
    due_after: Bound | None = None
    overdue: bool | None = None
    has_due: bool | None = None
    now: datetime | None = None

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
        priorities: list[str] | tuple[str, ...] | None = None,
        tags: list[str] | tuple[str, ...] | None = None,
        due_before: Bound | None = None,
        due_after: Bound | None = None,
        overdue: bool | None = None,
        has_due: bool | None = None,
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
        query = cls(
            completed,
            text,
            sort,
            limit,
            priorities=checked_priorities(priorities),
            tags=checked_tags(tags),
            due_before=checked_bound("due_before", due_before),
            due_after=checked_bound("due_after", due_after),
            overdue=checked_flag("overdue", overdue),
            has_due=checked_flag("has_due", has_due),
        )
        if cursor is None:
            return query
        return replace(query, after=query._decode(cursor, owner))

    @property
    def field(self) -> str:
        return self.sort.removeprefix("-")

    @property
    def descending(self) -> bool:
        return self.sort.startswith("-")

    @property
    def planned(self) -> bool:
        """Whether any planning filter is in the query (`priorities` to `has_due`)."""
        return (
            self.priorities is not None
            or self.tags is not None
            or self.due_before is not None
            or self.due_after is not None
            or self.overdue is not None
            or self.has_due is not None
        )

    def at(self, now: datetime) -> TaskQuery:
        """The query as of `now`, which `overdue` compares with."""
        return replace(self, now=now) if self.overdue is not None else self

    def key_of(self, task: Task) -> SortKey:
        """The task's place in the order as a cursor keeps it: a priority by its rank, a due
        as the instant `derived.due_start` says (None without one)."""
        field = self.field
        if field == "priority":
            return (RANK[task.priority], task.id)
        if field == "due":
            return (due_start(task.due_date, task.due_at, task.time_zone), task.id)
        return (getattr(task, field), task.id)

    def position(self, key: SortKey) -> tuple[object, ...]:
        """A key as Python compares it, in the order `sorted(reverse=descending)` gives: a
        task without a due comes last both ways, as SQL's `NULLS LAST` puts it."""
        if self.field != "due":
            return key
        value, task_id = key
        last = 0 if self.descending else 1
        return (last, None, task_id) if value is None else (1 - last, value, task_id)

    def matches(self, task: Task) -> bool:
        """Whether the filters keep `task` (the in-memory stores' rule; SQL says the same)."""
        if self.completed is not None and task.completed is not self.completed:
            return False
        if self.planned and not self._planned_match(task):
            return False
        if self.text is None:
            return True
        needle = self.text.lower()
        return needle in task.title.lower() or needle in (task.description or "").lower()

    def cursor_after(self, task: Task, owner: str) -> str:
        """The opaque cursor of the page that starts after `task`."""
        value, task_id = self.key_of(task)
        if isinstance(value, datetime):
            value = value.astimezone(UTC).isoformat()
        return cursors.encode({"v": 1, "q": self._fingerprint(owner), "k": [value, task_id]})

    def _planned_match(self, task: Task) -> bool:
        return keeps(
            task,
            priorities=self.priorities,
            tags=self.tags,
            due_before=self.due_before,
            due_after=self.due_after,
            overdue=self.overdue,
            has_due=self.has_due,
            now=self.now,
        )

    def _fingerprint(self, owner: str) -> str:
        """The owner and the query a cursor belongs to, as a digest (no user id in clear)."""
        query: list[object] = [owner, self.completed, self.text, self.sort]
        if self.planned:
            bounds = [bound_text(self.due_before), bound_text(self.due_after)]
            query += [self.priorities, self.tags, *bounds, self.overdue, self.has_due]
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
        if self.field == "priority":
            if type(value) is not int or value not in RANK.values():
                raise ValueError
            return value
        if self.field == "due" and value is None:
            return None
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


def is_after(key: tuple[object, ...], after: tuple[object, ...], descending: bool) -> bool:
    """Whether `key` comes strictly after `after` in the query's order."""
    return key < after if descending else key > after


def _has_surrogate(text: str) -> bool:
    return any("\ud800" <= char <= "\udfff" for char in text)
