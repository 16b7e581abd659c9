"""What the in-memory stores keep beside the tasks, and how they hand tasks out: shared by
both twins (`store_async`, and `store` generated from it)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from todo_core.derived import tag_keys
from todo_core.idempotency import Outcome
from todo_core.planned_lists import TagCount, TagCounts
from todo_core.tasks import NewTask, Task


@dataclass(slots=True)
class Tombstone:
    task_id: int
    stamp: int
    at: datetime


@dataclass(slots=True)
class Kept:
    fingerprint: str
    at: datetime
    outcome: Outcome


def kept_in_order(keys: dict[str, Kept], key: str, kept: Kept, bound: int) -> dict[str, Kept]:
    """An owner's keys with `key` kept, oldest first as SQL orders them (by time, then key),
    the oldest past `bound` forgotten."""
    keys.pop(key, None)  # an expired key used afresh is kept anew
    newest = next(reversed(keys.items()), None)
    keys[key] = kept
    if newest is not None and (kept.at, key) < (newest[1].at, newest[0]):
        # out of order (another clock, a retry of an old request): put it in its place
        keys = dict(sorted(keys.items(), key=_age))
    while len(keys) > bound:
        del keys[next(iter(keys))]
    return keys


def _age(item: tuple[str, Kept]) -> tuple[datetime, str]:
    name, kept = item
    return kept.at, name


def tag_counts(tasks: Iterable[Task]) -> TagCounts:
    """Each folded tag, spelled as the least of its spellings, with its count; ordered."""
    spellings: dict[str, list[str]] = {}
    for task in tasks:
        for tag, key in zip(task.tags, tag_keys(task.tags), strict=True):
            spellings.setdefault(key, []).append(tag)
    return [TagCount(min(spelled), len(spelled)) for _, spelled in sorted(spellings.items())]


def new_task(task_id: int, owner: str, new: NewTask, now: datetime) -> Task:
    """The task `new` makes, as SQL stores it: version 1, created (and completed, when it
    is) at `now`."""
    return Task(
        task_id,
        owner,
        new.title,
        new.description,
        new.completed,
        now,
        now,
        1,
        new.priority,
        new.tags,
        new.due_date,
        new.due_at,
        new.time_zone,
        new.recurrence,
        new.remind_at,
        now if new.completed else None,
    )


def copy(task: Task) -> Task:
    """A task of the caller's own (a Task's fields can be set; its tags are a tuple)."""
    return replace(task)


def copied(outcome: Outcome) -> Outcome:
    """An outcome whose task is of its holder's own: the kept one and the caller's apart."""
    return outcome if outcome.task is None else replace(outcome, task=copy(outcome.task))


def by_id(task: Task) -> int:
    return task.id


def utc(moment: datetime) -> datetime:
    """Store UTC like the SQL adapters do; a naive time is a bug in the caller."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: timestamps must be timezone-aware")
    return moment.astimezone(UTC)
