"""Every statement the task store runs, written once in SQLAlchemy Core over the table.

Each is ONE statement, atomic by itself; writes are `INSERT/UPDATE/DELETE ... RETURNING`, so
concurrent requests cannot lose each other's changes (no read-modify-write in Python). They are
built once with bind parameters (building and hashing a fresh statement per call cost more than
the query itself); the sync repository executes them through SQLAlchemy, the async one as the
PostgreSQL text they compile to.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

from sqlalchemy import Update, bindparam, delete, false, insert, not_, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.sql import ClauseElement

from todo_adapters.sql.table import TaskRow
from todo_core.tasks import CHANGEABLE, Task

_tasks = TaskRow.__table__  # type: ignore[attr-defined]
COLUMNS = [_tasks.c[name] for name in Task.__dataclass_fields__]  # in Task's field order
_mine = (_tasks.c.id == bindparam("task_id")) & (_tasks.c.user_id == bindparam("owner"))

LIST = select(*COLUMNS).where(_tasks.c.user_id == bindparam("owner")).order_by(_tasks.c.id)
GET = select(*COLUMNS).where(_mine)
ADD = (
    insert(_tasks)
    .values(
        user_id=bindparam("owner"),
        title=bindparam("title"),
        description=bindparam("description"),
        completed=false(),
        created_at=bindparam("now"),
        updated_at=bindparam("now"),
    )
    .returning(*COLUMNS)
)
TOGGLE = (
    update(_tasks)
    .where(_mine)
    .values(completed=not_(_tasks.c.completed), updated_at=bindparam("now"))
    .returning(*COLUMNS)
)
REMOVE = delete(_tasks).where(_mine)


def _change(fields: tuple[str, ...]) -> Update:
    values: dict[str, Any] = {name: bindparam(f"new_{name}") for name in fields}
    return (
        update(_tasks)
        .where(_mine)
        .values(updated_at=bindparam("now"), **values)
        .returning(*COLUMNS)
    )


# The UPDATE for each set of fields a change may set (TaskChanges.fields), each bound as
# `new_<field>`.
CHANGE = {
    fields: _change(fields)
    for size in range(1, len(CHANGEABLE) + 1)
    for fields in combinations(CHANGEABLE, size)
}


_POSTGRES = make_url("postgresql+psycopg://").get_dialect()()


def postgres_text(statement: ClauseElement) -> str:
    """The statement as psycopg runs it, with `%(name)s` placeholders."""
    return str(statement.compile(dialect=_POSTGRES))
