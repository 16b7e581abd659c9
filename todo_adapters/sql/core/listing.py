"""The SELECT for each shape of list query (`listing.ListShape`): its filters, its order, and
the keyset page that starts strictly after a cursor's task."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Date,
    DateTime,
    Integer,
    Select,
    Text,
    and_,
    bindparam,
    case,
    cast,
    false,
    literal_column,
    not_,
    or_,
    select,
    text,
    tuple_,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql import func
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.types import TypeEngine

from todo_adapters.sql.column_types import TextList
from todo_adapters.sql.core.tasks import COLUMNS
from todo_adapters.sql.listing import ListShape
from todo_adapters.sql.table import TASKS
from todo_core.planning import RANK

_tasks = TASKS
# A priority's rank (`planning.RANK`), as the `priority` order compares it.
_RANK = case(
    *(
        (_tasks.c.priority == literal_column(f"'{name}'"), literal_column(str(rank)))
        for name, rank in RANK.items()
    ),
    else_=literal_column("1"),
)
_SORTED_BY: dict[str, ColumnElement[Any]] = {"priority": _RANK, "due": _tasks.c.due_order}


def list_statement(shape: ListShape, postgres: bool) -> Select[Any]:
    """The SELECT for one shape of list query (which filters, which order, paged or not); its
    values are bound as `owner`, `completed`, `pattern`, `after_value`, `after_id`, `limit`,
    and for a `planned` shape those of `listing._planned`.

    Orders by the sort field then the id, in one direction, so that "after this task" is one
    row comparison; (user_id, id), (user_id, updated_at, id) and (user_id, due_order, id) are
    indexed, the other orders sort the user's matching tasks. Titles compare as code points
    on both databases (PostgreSQL's "C" collation; SQLite's BINARY), as Python compares them.
    A task without a due comes last in both `due` orders. Built once per shape:
    `named.statement` keeps what it built.
    """
    completed, text_, sort, paged, after, planned = shape
    field = sort.removeprefix("-")
    column: ColumnElement[Any] = _SORTED_BY[field] if field in _SORTED_BY else _tasks.c[field]
    if field == "title" and postgres:
        column = column.collate("C")
    where: list[ColumnElement[bool]] = [_tasks.c.user_id == bindparam("owner")]
    if completed:
        where.append(_tasks.c.completed == bindparam("completed"))
    if text_:
        where.append(
            or_(
                func.lower(_tasks.c.title).like(bindparam("pattern"), escape="\\"),
                func.lower(func.coalesce(_tasks.c.description, literal_column("''"))).like(
                    bindparam("pattern"), escape="\\"
                ),
            )
        )
    if planned:
        where.extend(_planned(postgres))
    descending = sort.startswith("-")
    if after:
        where.append(_after(field, column, descending, postgres))
    order = [column, _tasks.c.id] if field != "id" else [column]
    order = [part.desc() for part in order] if descending else order
    if field == "due":
        order[0] = order[0].nulls_last()
    statement = select(*COLUMNS).where(*where).order_by(*order)
    if paged:
        statement = statement.limit(bindparam("limit"))
    return statement


def _after(
    field: str, column: ColumnElement[Any], descending: bool, postgres: bool
) -> ColumnElement[bool]:
    """Strictly after the cursor's task (`after_value`, `after_id`) in the order."""
    after_id: BindParameter[int] = bindparam("after_id")
    by_id = _tasks.c.id < after_id if descending else _tasks.c.id > after_id
    if field == "id":  # the id is its own tie-breaker
        return by_id
    if field == "due":  # NULL after a task without a due: PostgreSQL is told the type
        value = _maybe("after_value", DateTime(timezone=True), postgres)
    else:  # a rank for `priority`
        value = bindparam("after_value", type_=Integer() if field == "priority" else column.type)
    key, position = tuple_(column, _tasks.c.id), tuple_(value, after_id)
    beyond = key < position if descending else key > position
    if field != "due":
        return beyond
    # Tasks without a due come last both ways, ordered by id: a cursor among them (its value
    # NULL) goes on by id; one before them goes on to the rest of the dues, then to them.
    undue = _tasks.c.due_order.is_(None)
    return or_(
        and_(value.is_(None), undue, by_id),
        and_(value.is_not(None), or_(beyond, undue)),
    )


def _planned(postgres: bool) -> list[ColumnElement[bool]]:
    """Every planning filter, each true when its value is NULL (not in the query): one
    statement per shape rather than one per set of filters. PostgreSQL plans each call with
    its values (psycopg prepares a statement only after it has been run a few times, and a
    generic plan then has to prove itself no worse), so an absent filter costs nothing."""
    day, moment = Date(), DateTime(timezone=True)
    priorities = _maybe("priorities", TextList(), postgres)
    tags = _maybe("tags", TextList(), postgres)
    before_day, after_day = _maybe("before_day", day, postgres), _maybe("after_day", day, postgres)
    before_at, after_at = (
        _maybe("before_at", moment, postgres),
        _maybe("after_at", moment, postgres),
    )
    overdue, has_due = (
        _maybe("overdue", Boolean(), postgres),
        _maybe("has_due", Boolean(), postgres),
    )
    # Overdue: `overdue_at <= now` and open, spelled so that PostgreSQL sees it implies the
    # partial index of open dues (`overdue_at IS NOT NULL AND NOT completed`); not overdue:
    # anything else, a task without a due included.
    late = and_(_tasks.c.overdue_at <= _maybe("now", moment, postgres), not_(_tasks.c.completed))
    in_time = not_(func.coalesce(late, false()))
    return [
        or_(priorities.is_(None), _priority_in(postgres)),
        or_(tags.is_(None), _tagged_all(postgres)),
        or_(before_day.is_(None), _tasks.c.due_day < before_day),
        or_(after_day.is_(None), _tasks.c.due_day >= after_day),
        or_(before_at.is_(None), _tasks.c.due_order < before_at),
        or_(after_at.is_(None), _tasks.c.due_order >= after_at),
        or_(overdue.is_(None), and_(overdue, late), and_(not_(overdue), in_time)),
        or_(has_due.is_(None), _tasks.c.due_order.is_not(None) == has_due),
    ]


def _priority_in(postgres: bool) -> ColumnElement[bool]:
    if postgres:
        return _tasks.c.priority == func.any(_maybe("priorities", TextList(), postgres))
    return text("tasks.priority IN (SELECT value FROM json_each(:priorities))").bindparams(
        bindparam("priorities", type_=TextList())
    )  # type: ignore[return-value]


def _tagged_all(postgres: bool) -> ColumnElement[bool]:
    """Every tag of the filter among the task's (folded) tags: PostgreSQL's `@>`, which its
    GIN index answers."""
    if postgres:
        return _tasks.c.tag_keys.op("@>")(_maybe("tags", TextList(), postgres))
    return text(
        "NOT EXISTS (SELECT 1 FROM json_each(:tags) AS wanted"
        " WHERE wanted.value NOT IN (SELECT value FROM json_each(tasks.tag_keys)))"
    ).bindparams(bindparam("tags", type_=TextList()))  # type: ignore[return-value]


def _maybe(name: str, type_: TypeEngine[Any], postgres: bool) -> ColumnElement[Any]:
    """A bound value that may be NULL: PostgreSQL is told its type, which it cannot infer
    from `IS NULL`."""
    value = bindparam(name, type_=type_)
    if not postgres:
        return value
    cast_to: TypeEngine[Any] = ARRAY(Text) if isinstance(type_, TextList) else type_
    return cast(value, cast_to)
