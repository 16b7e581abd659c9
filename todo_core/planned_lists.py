"""How the planning fields narrow a list: the checks of their filters (each names its query
parameter when it fails), what a day or an instant bound keeps, and the tag counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from todo_core.derived import due_day, due_start, overdue_from, tag_keys
from todo_core.errors import InvalidQuery
from todo_core.planning import PRIORITIES, RANK, TAGS_MAX, check_tags
from todo_core.tasks import Task

Bound = date | datetime  # a day (in each task's zone) or an instant


@dataclass(frozen=True, slots=True)
class TagCount:
    """A tag the user has, and on how many of their tasks. Tags equal but for case are one
    (`derived.tag_keys`), spelled as the least of their spellings (by code point)."""

    tag: str
    count: int


TagCounts = list[TagCount]  # (a name: in a class with a `list` method, `list` is that)


def keeps(
    task: Task,
    *,
    priorities: tuple[str, ...] | None,
    tags: tuple[str, ...] | None,
    due_before: Bound | None,
    due_after: Bound | None,
    overdue: bool | None,
    has_due: bool | None,
    now: datetime | None,
) -> bool:
    """Whether the planning filters given (not None) keep `task`; `now` is when an overdue
    filter is answered."""
    if priorities is not None and task.priority not in priorities:
        return False
    if tags is not None and not set(tags) <= set(tag_keys(task.tags)):
        return False
    due = task.due_date is not None or task.due_at is not None
    if has_due is not None and due is not has_due:
        return False
    if overdue is not None:
        if now is None:
            raise ValueError("an overdue filter is answered at a moment: query.at(now)")
        begins = overdue_from(task.due_date, task.due_at, task.time_zone)
        if (not task.completed and begins is not None and begins <= now) is not overdue:
            return False
    if due_before is not None and not is_due_before(task, due_before):
        return False
    return due_after is None or is_due_on_or_after(task, due_after)


def checked_priorities(priorities: object) -> tuple[str, ...] | None:
    if priorities is None:
        return None
    if not isinstance(priorities, list | tuple) or not priorities:
        raise InvalidQuery("priority", "must be one or more of low, medium, high")
    if any(priority not in PRIORITIES for priority in priorities):
        raise InvalidQuery("priority", "must be one or more of low, medium, high")
    return tuple(sorted(set(priorities), key=RANK.__getitem__))


def checked_tags(tags: object) -> tuple[str, ...] | None:
    if tags is None:
        return None
    try:
        kept = check_tags(tags)
    except ValueError as why:
        raise InvalidQuery("tag", str(why)) from None
    if not kept:
        raise InvalidQuery("tag", f"must be 1 to {TAGS_MAX} tags")
    return tuple(sorted(tag_keys(kept)))


def checked_bound(name: str, bound: object) -> Bound | None:
    if bound is None or (isinstance(bound, date) and not isinstance(bound, datetime)):
        return bound
    if isinstance(bound, datetime) and bound.utcoffset() is not None:
        return bound.astimezone(UTC)
    raise InvalidQuery(name, "must be a date (YYYY-MM-DD) or a moment with an offset")


def checked_flag(name: str, flag: object) -> bool | None:
    if flag is not None and not isinstance(flag, bool):
        raise InvalidQuery(name, "must be true or false")
    return flag


def bound_text(bound: Bound | None) -> str | None:
    return None if bound is None else bound.isoformat()


def is_due_before(task: Task, bound: Bound) -> bool:
    """Due before `bound`: a day (each task's own, in its zone) or an instant."""
    if isinstance(bound, datetime):
        start = due_start(task.due_date, task.due_at, task.time_zone)
        return start is not None and start < bound
    day = due_day(task.due_date, task.due_at, task.time_zone)
    return day is not None and day < bound


def is_due_on_or_after(task: Task, bound: Bound) -> bool:
    if isinstance(bound, datetime):
        start = due_start(task.due_date, task.due_at, task.time_zone)
        return start is not None and start >= bound
    day = due_day(task.due_date, task.due_at, task.time_zone)
    return day is not None and day >= bound
