"""Writes (`todo_core.writes`) as the name of the one statement that makes each, and its
values. A name spells the write: `add`, `toggle`, `remove` or `change`, and ` if version`
after one that checks the version the caller expects (If-Match) in the same statement, so
that no other write can come between the check and the change. A change binds, for each
changeable field, whether it sets it (`set_<field>`) and to what (`new_<field>`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Final

from todo_adapters.sql.rows import recurrence_text
from todo_adapters.sql.statements import UNLIMITED, Statement, Values
from todo_core.derived import due_day, due_start, overdue_from, tag_keys
from todo_core.tasks import CHANGEABLE, UNSET, NewTask, TaskChanges
from todo_core.writes import Add, Change, Remove, Toggle, Write

# What a store derives from a task's fields for filters and orders to compare (`table`).
DERIVED: Final = ("tag_keys", "due_day", "due_order", "overdue_at")

ADD: Final = "add"
_IF_VERSION: Final = " if version"


def write_name(kind: str, conditional: bool = False) -> Statement:
    return kind + (_IF_VERSION if conditional else "")


def parts_of(name: Statement) -> tuple[str, bool]:
    """What `write_name` spelled: the kind, and the version check."""
    return name.removesuffix(_IF_VERSION), name.endswith(_IF_VERSION)


def every_write() -> list[Statement]:
    """The name of every write statement, each but `add` with and without the version check."""
    checked = [write_name(k, c) for k in ("toggle", "remove", "change") for c in (False, True)]
    return [ADD, *checked]


def statement_of(owner: str, write: Write) -> tuple[Statement, Values]:
    """The one statement that makes `write`, and its values; it returns the task as written
    (a removal: as it was), or no row when the write did not happen."""
    values: Values = {"owner": owner}
    match write:
        case Add(new, now, limit):
            values.update(title=new.title, description=new.description, now=now)
            values.update(completed=new.completed, limit=UNLIMITED if limit is None else limit)
            values.update(_planned(new), last_completed_at=now if new.completed else None)
            return ADD, values
        case Change(task_id, changes, now, expected):
            if changes.partial_schedule:
                raise ValueError("a change of the schedule sets all of it (TaskChanges)")
            values.update(task_id=task_id, now=now, expected=expected)
            for name in CHANGEABLE:
                setting = name in changes.fields
                values[f"set_{name}"] = setting
                values[f"new_{name}"] = getattr(changes, name) if setting else None
            values["new_recurrence"] = recurrence_text(values["new_recurrence"])
            if values["new_tags"] is not None:  # a list: psycopg sends a tuple as a record
                values["new_tags"] = list(values["new_tags"])
            values.update(_derived_changes(changes))
            return write_name("change", expected is not None), values
        case Toggle(task_id, now, expected):
            values.update(task_id=task_id, now=now, expected=expected)
            return write_name("toggle", expected is not None), values
        case Remove(task_id, expected):
            values.update(task_id=task_id, expected=expected)
            return write_name("remove", expected is not None), values


def _planned(new: NewTask) -> Values:
    """A new task's planning fields as bound, and what is derived from them."""
    return {
        "priority": new.priority,
        "tags": list(new.tags),
        "due_date": new.due_date,
        "due_at": new.due_at,
        "time_zone": new.time_zone,
        "recurrence": recurrence_text(new.recurrence),
        "remind_at": new.remind_at,
        **_derived(new.tags, new.due_date, new.due_at, new.time_zone),
    }


def _derived_changes(changes: TaskChanges) -> Values:
    """`new_<derived>` for a change: the tags' keys when it sets the tags, the due's when it
    sets the schedule (which a change sets whole: `TaskChanges.reschedules`)."""
    tags = () if changes.tags is UNSET else changes.tags
    due_date, due_at, zone = changes.due_date, changes.due_at, changes.time_zone
    if due_date is UNSET or due_at is UNSET or zone is UNSET:
        due_date = due_at = zone = None
    derived = _derived(tags, due_date, due_at, zone)
    return {f"new_{name}": value for name, value in derived.items()}


def _derived(
    tags: tuple[str, ...], due_date: date | None, due_at: datetime | None, zone: str | None
) -> Values:
    return {
        "tag_keys": tag_keys(tags),
        "due_day": due_day(due_date, due_at, zone),
        "due_order": due_start(due_date, due_at, zone),
        "overdue_at": overdue_from(due_date, due_at, zone),
    }
