"""What the in-memory stores keep beside the tasks, and how they hand tasks out: shared by
both twins (`store_async`, and `store` generated from it)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from todo_core.derived import tag_keys
from todo_core.idempotency import Outcome
from todo_core.planned_lists import TagCount, TagCounts
from todo_core.tasks import Task


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


def age(item: tuple[str, Kept]) -> tuple[datetime, str]:
    name, kept = item
    return kept.at, name


def tag_counts(tasks: Iterable[Task]) -> TagCounts:
    """Each folded tag, spelled as the least of its spellings, with its count; ordered."""
    spellings: dict[str, list[str]] = {}
    for task in tasks:
        for tag, key in zip(task.tags, tag_keys(task.tags), strict=True):
            spellings.setdefault(key, []).append(tag)
    return [TagCount(min(spelled), len(spelled)) for _, spelled in sorted(spellings.items())]


def copy(task: Task) -> Task:
    """A task of the caller's own: its tag list too."""
    return replace(task, tags=list(task.tags))


def by_id(task: Task) -> int:
    return task.id


def utc(moment: datetime) -> datetime:
    """Store UTC like the SQL adapters do; a naive time is a bug in the caller."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: timestamps must be timezone-aware")
    return moment.astimezone(UTC)
