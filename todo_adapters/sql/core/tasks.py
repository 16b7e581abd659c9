"""The statements on `tasks`, in SQLAlchemy Core: what each name in `statements` and `writes`
stands for. Built once, with bind parameters; `postgres_text` compiles one to what psycopg
sends (the generator of `postgres_texts` does, and so do the tests)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Select,
    Update,
    bindparam,
    case,
    delete,
    insert,
    literal_column,
    not_,
    select,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.sql import ClauseElement, Executable, func
from sqlalchemy.sql.dml import ReturningDelete
from sqlalchemy.sql.elements import BindParameter

from todo_adapters.sql import writes
from todo_adapters.sql.column_types import tags_or_null
from todo_adapters.sql.table import COUNTS, TASKS
from todo_adapters.sql.writes import DERIVED
from todo_core.tasks import CHANGEABLE, Task

_tasks, _counts = TASKS, COUNTS
# A task's columns as read, in Task's field order (its tags NULL for none: `tags_or_null`).
COLUMNS = [
    tags_or_null(_tasks.c.tags).label("tags") if name == "tags" else _tasks.c[name]
    for name in Task.__dataclass_fields__
]
_mine = (_tasks.c.id == bindparam("task_id")) & (_tasks.c.user_id == bindparam("owner"))

# A conditional write (If-Match) checks the version in the same statement as the write: no
# other write can come between the check and the change.
_expected = _tasks.c.version == bindparam("expected")
_next_version = {"version": _tasks.c.version + literal_column("1"), "updated_at": bindparam("now")}

PING: Select[Any] = select(literal_column("1"))
GET = select(*COLUMNS).where(_mine)
# A new row's columns: the owner, then those bound by name (`writes.statement_of`), with
# `now` for both timestamps. The version is the column's default, 1.
BOUND = [
    "title",
    "description",
    "completed",
    "priority",
    "tags",
    "due_date",
    "due_at",
    "time_zone",
    "recurrence",
    "remind_at",
    "last_completed_at",
    *DERIVED,
]
NEW_ROW = ["user_id", *BOUND, "created_at", "updated_at"]
_now = bindparam("now", type_=_tasks.c.created_at.type)
_owners_count = select(_counts.c.tasks).where(_counts.c.user_id == bindparam("owner"))
# A new task, unless its owner has `limit` already. One statement under SQLite's single
# write lock, so exact; PostgreSQL locks the count's row instead (`core.writes.POSTGRES_ADD`).
ADD = (
    insert(_tasks)
    .from_select(
        NEW_ROW,
        select(
            bindparam("owner", type_=_tasks.c.user_id.type),
            *(bindparam(name, type_=_tasks.c[name].type) for name in BOUND),
            _now,
            _now,
        ).where(func.coalesce(_owners_count.scalar_subquery(), 0) < bindparam("limit")),
    )
    .returning(*COLUMNS)
)


def _target(conditional: bool) -> ColumnElement[bool]:
    """The owner's task, and with `conditional` only at the version the caller expects."""
    target: ColumnElement[bool] = _mine & _expected if conditional else _mine
    return target


def _toggle(conditional: bool) -> Update:
    """Completing sets `last_completed_at`; an open recurring task is not flipped (the
    service rolls it forward instead)."""
    values = {
        "completed": not_(_tasks.c.completed),
        "last_completed_at": case(
            (not_(_tasks.c.completed), _now), else_=_tasks.c.last_completed_at
        ),
        **_next_version,
    }
    plain = _tasks.c.completed | _tasks.c.recurrence.is_(None)
    statement = update(_tasks).where(_target(conditional), plain)
    return statement.values(**values).returning(*COLUMNS)


def _remove(conditional: bool) -> ReturningDelete[Any]:
    """Returns what it removed: a removal under an idempotency key keeps it with the key."""
    return delete(_tasks).where(_target(conditional)).returning(*COLUMNS)


def _set(name: str) -> BindParameter[bool]:
    return bindparam(f"set_{name}", type_=Boolean)


def _new(name: str) -> BindParameter[Any]:
    return bindparam(f"new_{name}", type_=_tasks.c[name].type)


def _change(conditional: bool) -> Update:
    """One statement for any set of fields: each changeable field is set to `new_<field>`
    when `set_<field>` is true, and kept otherwise (rather than a statement per set of
    fields, which would double with every field a task gains). What is derived from the
    fields follows them (the schedule's with `due_date`, which a change sets whole).

    Completing an open task sets `last_completed_at`, unless the change sets it; a change
    completing an open recurring task without saying what becomes of its recurrence is not
    made (`recurring.rolls`: the service rolls the task forward instead)."""
    values: dict[str, Any] = {
        name: case((_set(name), _new(name)), else_=_tasks.c[name]) for name in CHANGEABLE
    }
    completes = _set("completed") & _new("completed") & not_(_tasks.c.completed)
    values["last_completed_at"] = case(
        (_set("last_completed_at"), _new("last_completed_at")),
        (completes, _now),
        else_=_tasks.c.last_completed_at,
    )
    values["tag_keys"] = case((_set("tags"), _new("tag_keys")), else_=_tasks.c.tag_keys)
    for name in DERIVED[1:]:
        values[name] = case((_set("due_date"), _new(name)), else_=_tasks.c[name])
    rolls = completes & _tasks.c.recurrence.is_not(None) & not_(_set("recurrence"))
    statement = update(_tasks).where(_target(conditional), not_(rolls))
    return statement.values(**_next_version, **values).returning(*COLUMNS)


def write(name: str) -> Executable:
    """The write `name` spells (`writes.write_name`); on SQLite, `add` too (PostgreSQL's is
    `core.writes.POSTGRES_ADD`). Each checks the version, bound as `expected`, when its name
    says so."""
    kind, conditional = writes.parts_of(name)
    if kind == "add" and not conditional:
        return ADD
    if kind == "toggle":
        return _toggle(conditional)
    if kind == "remove":
        return _remove(conditional)
    if kind == "change":
        return _change(conditional)
    raise KeyError(name)


_POSTGRES = make_url("postgresql+psycopg://").get_dialect()()


def postgres_text(statement: Executable) -> str:
    """The statement as psycopg runs it, with `%(name)s` placeholders."""
    assert isinstance(statement, ClauseElement)  # every statement here is Core's
    return str(statement.compile(dialect=_POSTGRES))
