"""Writes as values: what a store is asked to do, named once, so that one method of the
store can apply any of them under an idempotency key, and so that a write can be recognised
when it is asked for again."""

from __future__ import annotations

import hashlib
import json
from dataclasses import astuple, dataclass
from datetime import date, datetime
from typing import Final

from todo_core.planning import Recurrence
from todo_core.tasks import NewTask, TaskChanges

PLANNED: Final = ("priority", "tags", "due_date", "due_at", "time_zone", "recurrence", "remind_at")
_UNPLANNED: Final = {name: getattr(NewTask("-"), name) for name in PLANNED}


@dataclass(frozen=True, slots=True)
class Add:
    new: NewTask
    now: datetime
    limit: int | None = None  # the most tasks the owner may have; not part of what is asked


@dataclass(frozen=True, slots=True)
class Change:
    task_id: int
    changes: TaskChanges
    now: datetime
    expected: int | None = None


@dataclass(frozen=True, slots=True)
class Toggle:
    task_id: int
    now: datetime
    expected: int | None = None


@dataclass(frozen=True, slots=True)
class Remove:
    task_id: int
    expected: int | None = None


Write = Add | Change | Toggle | Remove


def fingerprint(write: Write) -> str:
    """What the write asks for, as a digest: two requests with the same key are the same
    request exactly when their fingerprints are equal. The time is left out (a retry comes
    later); every value the caller chose is in, so that a key reused for anything else is
    caught."""
    match write:
        case Add(new):
            asked: list[object] = ["add", new.title, new.description, new.completed]
            planned = {name: getattr(new, name) for name in PLANNED}
            if planned != _UNPLANNED:
                asked.append(planned)
        case Change(task_id, changes, _, expected):
            asked = ["change", task_id, expected, changes.values()]
        case Toggle(task_id, _, expected):
            asked = ["toggle", task_id, expected]
        case Remove(task_id, expected):
            asked = ["remove", task_id, expected]
    text = json.dumps(asked, sort_keys=True, ensure_ascii=False, default=_plain)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _plain(value: object) -> object:
    """Values JSON has no type for, as text: a date, a moment, a recurrence."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Recurrence):
        return list(astuple(value))
    raise TypeError(f"cannot fingerprint {type(value).__name__}")
