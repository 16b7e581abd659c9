"""Writes (`todo_core.writes`) as the name of the one statement that makes each, and its
values. A name spells the write: `add`, `toggle`, `remove` or `change`, and ` if version`
after one that checks the version the caller expects (If-Match) in the same statement, so
that no other write can come between the check and the change. A change binds, for each
changeable field, whether it sets it (`set_<field>`) and to what (`new_<field>`)."""

from __future__ import annotations

from typing import Final

from todo_adapters.sql.statements import UNLIMITED, Statement, Values
from todo_core.tasks import CHANGEABLE
from todo_core.writes import Add, Change, Remove, Toggle, Write

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
            return ADD, values
        case Change(task_id, changes, now, expected):
            values.update(task_id=task_id, now=now, expected=expected)
            for name in CHANGEABLE:
                setting = name in changes.fields
                values[f"set_{name}"] = setting
                values[f"new_{name}"] = getattr(changes, name) if setting else None
            return write_name("change", expected is not None), values
        case Toggle(task_id, now, expected):
            values.update(task_id=task_id, now=now, expected=expected)
            return write_name("toggle", expected is not None), values
        case Remove(task_id, expected):
            values.update(task_id=task_id, expected=expected)
            return write_name("remove", expected is not None), values
