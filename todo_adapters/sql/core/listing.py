"""The SELECT for each shape of list query (`listing.ListShape`): its filters, its order, and
the keyset page that starts strictly after a cursor's task."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, literal_column, or_, select, tuple_
from sqlalchemy.sql import func

from todo_adapters.sql.core.tasks import COLUMNS
from todo_adapters.sql.listing import ListShape
from todo_adapters.sql.table import TASKS

_tasks = TASKS


def list_statement(shape: ListShape, postgres: bool) -> Select[Any]:
    """The SELECT for one shape of list query (which filters, which order, paged or not); its
    values are bound as `owner`, `completed`, `pattern`, `after_value`, `after_id`, `limit`.

    Orders by the sort field then the id, in one direction, so that "after this task" is one
    row comparison; (user_id, id) and (user_id, updated_at, id) are indexed, the other orders
    sort the user's matching tasks. Titles compare as code points on both databases
    (PostgreSQL's "C" collation; SQLite's BINARY), as Python compares them. Built once per
    shape: `named.statement` keeps what it built.
    """
    completed, text, sort, paged, after = shape
    field = sort.removeprefix("-")
    column: ColumnElement[Any] = _tasks.c[field]
    if field == "title" and postgres:
        column = column.collate("C")
    where: list[ColumnElement[bool]] = [_tasks.c.user_id == bindparam("owner")]
    if completed:
        where.append(_tasks.c.completed == bindparam("completed"))
    if text:
        where.append(
            or_(
                func.lower(_tasks.c.title).like(bindparam("pattern"), escape="\\"),
                func.lower(func.coalesce(_tasks.c.description, literal_column("''"))).like(
                    bindparam("pattern"), escape="\\"
                ),
            )
        )
    key: ColumnElement[Any] = tuple_(column, _tasks.c.id)
    position: ColumnElement[Any] = tuple_(
        bindparam("after_value", type_=_tasks.c[field].type), bindparam("after_id")
    )
    if field == "id":  # the id is its own tie-breaker
        key, position = _tasks.c.id, bindparam("after_id")
    descending = sort.startswith("-")
    if after:
        where.append(key < position if descending else key > position)
    order = [column, _tasks.c.id] if field != "id" else [column]
    order = [part.desc() for part in order] if descending else order
    statement = select(*COLUMNS).where(*where).order_by(*order)
    if paged:
        statement = statement.limit(bindparam("limit"))
    return statement
