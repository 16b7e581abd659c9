"""The task entity and the rules every task obeys, whatever stores it."""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final, Literal

from todo_core.errors import InvalidTask
from todo_core.planning import (
    PlannedFields,
    Priority,
    Recurrence,
    check_due_date,
    check_instant,
    check_priority,
    check_recurrence,
    check_schedule,
    check_tags,
    check_time_zone,
)

TITLE_MAX: Final = 200
DESCRIPTION_MAX: Final = 1000
OWNER_ID_MAX: Final = 255
TASK_ID_MAX: Final = 2**63 - 1  # ids are 64-bit signed: anything else cannot exist
# What a change may set, in Task's order (`last_completed_at`: only the service, on a roll).
CHANGEABLE: Final = (
    *("title", "description", "completed", "priority", "tags", "due_date", "due_at"),
    *("time_zone", "recurrence", "remind_at", "last_completed_at"),
)
# When a task is due and how it recurs: a change of any of these is checked against the
# stored task and written with all of them (`recurring.rescheduled`).
SCHEDULE: Final = ("due_date", "due_at", "time_zone", "recurrence")
TASK_LIMIT: Final = 10_000  # the most tasks one owner may have, unless the service says else

# Control characters (C0, DEL, C1) and lone surrogates: the latter cannot be stored as UTF-8.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
# The same, except newline and tab, which a multi-line description legitimately holds.
_CONTROL_IN_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


class Unset(enum.Enum):
    """Marks a field a change leaves alone (distinct from None, which clears a description)."""

    UNSET = "UNSET"


UNSET: Final = Unset.UNSET


@dataclass(slots=True)
class Task:
    """A task as stored. Field order is the storage column order, which adapters rely on.

    Not frozen: a frozen dataclass sets each field through `object.__setattr__`, which made
    reading a long list markedly dearer (the docs' performance page). Every store hands out
    tasks of the caller's own, so changing one changes nothing stored.
    """

    id: int
    user_id: str
    title: str
    description: str | None
    completed: bool
    created_at: datetime
    updated_at: datetime
    version: int = 1  # 1 when created, one more on every change: what an ETag is made of
    priority: Priority = "medium"
    tags: tuple[str, ...] = ()  # immutable: no list to allocate, copy or collect per task
    due_date: date | None = None  # due on a day, in `time_zone`...
    due_at: datetime | None = None  # ...or at a moment (UTC); never both
    time_zone: str | None = None  # the IANA zone the user plans in; None is UTC
    recurrence: Recurrence | None = None  # only with a due
    remind_at: datetime | None = None
    last_completed_at: datetime | None = None  # the last completion, a roll's included


class ChangedFields(PlannedFields, total=False):
    """The fields a change may set, by keyword (`**fields`); those not given are kept."""

    title: str
    description: str | None
    completed: bool


@dataclass(frozen=True, slots=True)
class NewTask:
    """A task about to be created: validated, with its title already trimmed."""

    title: str
    description: str | None = None
    completed: bool = False
    priority: Priority = "medium"
    tags: tuple[str, ...] = ()
    due_date: date | None = None
    due_at: datetime | None = None
    time_zone: str | None = None
    recurrence: Recurrence | None = None
    remind_at: datetime | None = None

    @classmethod
    def of(
        cls,
        title: object,
        description: object = None,
        completed: object = False,
        **planned: object,
    ) -> NewTask:
        """A checked new task; `planned` are the optional fields after `completed`, by name."""
        unknown = set(planned) - set(cls.__dataclass_fields__)
        if unknown:
            raise TypeError(f"NewTask has no field {sorted(unknown)[0]!r}")
        given = {"title": title, "description": description, "completed": completed, **planned}
        clean = _validated(**given)
        check_schedule(clean, whole=True)
        return cls(**clean)


@dataclass(frozen=True, slots=True)
class TaskChanges:
    """The fields one update sets; UNSET fields keep their stored value."""

    title: str | Literal[Unset.UNSET] = UNSET
    description: str | Literal[Unset.UNSET] | None = UNSET
    completed: bool | Literal[Unset.UNSET] = UNSET
    priority: Priority | Literal[Unset.UNSET] = UNSET
    tags: tuple[str, ...] | Literal[Unset.UNSET] = UNSET
    due_date: date | Literal[Unset.UNSET] | None = UNSET
    due_at: datetime | Literal[Unset.UNSET] | None = UNSET
    time_zone: str | Literal[Unset.UNSET] | None = UNSET
    recurrence: Recurrence | Literal[Unset.UNSET] | None = UNSET
    remind_at: datetime | Literal[Unset.UNSET] | None = UNSET
    last_completed_at: datetime | Literal[Unset.UNSET] | None = UNSET
    fields: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        fields = tuple(name for name in CHANGEABLE if getattr(self, name) is not UNSET)
        object.__setattr__(self, "fields", fields)

    @classmethod
    def of(cls, **given: object) -> TaskChanges:
        """Checked changes of the fields given (UNSET ones are left out). A due of one kind
        set clears the other (a task has one due); both at once is an error."""
        unknown = set(given) - set(CHANGEABLE[:-1])
        if unknown:
            raise TypeError(f"a change cannot set {sorted(unknown)[0]!r}")
        clean = _validated(**{name: value for name, value in given.items() if value is not UNSET})
        check_schedule(clean, whole=False)
        if clean.get("due_date") is not None:
            clean.setdefault("due_at", None)
        if clean.get("due_at") is not None:
            clean.setdefault("due_date", None)
        return cls(**clean)

    @property
    def partial_schedule(self) -> bool:
        """Whether it sets some of `SCHEDULE`, not all: no store takes that (what it derives
        from a due needs all of them; the service makes such a change whole first)."""
        given = [name in self.fields for name in SCHEDULE]
        return any(given) and not all(given)

    @property
    def reschedules(self) -> bool:
        """Whether it sets when the task is due or how it recurs (`SCHEDULE`)."""
        return any(name in SCHEDULE for name in self.fields)

    def values(self) -> dict[str, object]:
        """The set fields by name, for adapters that write them in one statement."""
        return {name: getattr(self, name) for name in self.fields}


def check_title(title: object) -> str:
    """Return the stored form of a title (trimmed), or raise ValueError saying why not."""
    if not isinstance(title, str):
        raise ValueError("must be a string")
    trimmed = title.strip()
    if not trimmed:
        raise ValueError("must not be empty")
    if len(trimmed) > TITLE_MAX:
        raise ValueError(f"must be at most {TITLE_MAX} characters")
    if _CONTROL.search(trimmed):
        raise ValueError("must not contain control characters")
    return trimmed


def check_description(description: object) -> str | None:
    """Return the description unchanged if it may be stored, or raise ValueError saying why not."""
    if description is None:
        return None
    if not isinstance(description, str):
        raise ValueError("must be a string or null")
    if len(description) > DESCRIPTION_MAX:
        raise ValueError(f"must be at most {DESCRIPTION_MAX} characters")
    if _CONTROL_IN_TEXT.search(description):
        raise ValueError("must not contain control characters other than newline and tab")
    return description


def check_done(completed: object) -> bool:
    """Only a real boolean: "yes", 1 or null would be guesses about what the caller meant."""
    if not isinstance(completed, bool):
        raise ValueError("must be true or false")
    return completed


def is_owner_id(owner_id: object) -> bool:
    """Whether a value can identify a task owner (it comes from a token; stores index it)."""
    return (
        isinstance(owner_id, str)
        and 0 < len(owner_id) <= OWNER_ID_MAX
        and not _CONTROL.search(owner_id)
    )


def is_task_id(task_id: object) -> bool:
    """Whether an id can name a stored task: a positive 64-bit integer."""
    return type(task_id) is int and 0 < task_id <= TASK_ID_MAX


def _validated(**fields: object) -> dict[str, Any]:
    """Each field in its stored form; every broken field is reported at once."""
    clean: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for name, value in fields.items():
        try:
            clean[name] = _CHECKS[name](value)
        except ValueError as why:
            problems[name] = str(why)
    if problems:
        raise InvalidTask(problems)
    return clean


_CHECKS: dict[str, Callable[[object], object]] = {
    "title": check_title,
    "description": check_description,
    "completed": check_done,
    "priority": check_priority,
    "tags": check_tags,
    "due_date": check_due_date,
    "due_at": check_instant,
    "time_zone": check_time_zone,
    "recurrence": check_recurrence,
    "remind_at": check_instant,
}
