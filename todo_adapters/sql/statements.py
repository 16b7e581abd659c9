"""Every statement the task store runs, written once in SQLAlchemy Core over the table.

Each is ONE statement, atomic by itself; writes are `INSERT/UPDATE/DELETE ... RETURNING`, so
concurrent requests cannot lose each other's changes (no read-modify-write in Python). They are
built once with bind parameters (building and hashing a fresh statement per call cost more than
the query itself); the sync repository executes them through SQLAlchemy, the async one as the
PostgreSQL text they compile to.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import combinations
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    Update,
    bindparam,
    delete,
    insert,
    literal_column,
    not_,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.sql import ClauseElement, func
from sqlalchemy.sql.dml import ReturningDelete

from todo_adapters.sql.table import (
    IdempotencyKeyRow,
    SyncStateRow,
    TaskCountRow,
    TaskRow,
    TombstoneRow,
)
from todo_core.listing import TaskQuery
from todo_core.tasks import CHANGEABLE, Task

_tasks = TaskRow.__table__  # type: ignore[attr-defined]
_counts = TaskCountRow.__table__  # type: ignore[attr-defined]
COLUMNS = [_tasks.c[name] for name in Task.__dataclass_fields__]  # in Task's field order
_mine = (_tasks.c.id == bindparam("task_id")) & (_tasks.c.user_id == bindparam("owner"))

# A conditional write (If-Match) checks the version in the same statement as the write: no
# other write can come between the check and the change.
_expected = _tasks.c.version == bindparam("expected")
_next_version = {"version": _tasks.c.version + literal_column("1"), "updated_at": bindparam("now")}

LIST = select(*COLUMNS).where(_tasks.c.user_id == bindparam("owner")).order_by(_tasks.c.id)
GET = select(*COLUMNS).where(_mine)
NEW_ROW = ["user_id", "title", "description", "completed", "created_at", "updated_at"]
UNLIMITED = 2**63 - 1  # the `limit` of an add that has none
_now = bindparam("now", type_=_tasks.c.created_at.type)
_owners_count = select(_counts.c.tasks).where(_counts.c.user_id == bindparam("owner"))
# A new task, unless its owner has `limit` already (version: the column's default, 1). One
# statement under SQLite's single write lock, so exact; PostgreSQL locks the count's row
# instead (`writes.POSTGRES_ADD`).
ADD = (
    insert(_tasks)
    .from_select(
        NEW_ROW,
        select(
            bindparam("owner", type_=_tasks.c.user_id.type),
            *(bindparam(name, type_=_tasks.c[name].type) for name in NEW_ROW[1:4]),
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
    values = {"completed": not_(_tasks.c.completed), **_next_version}
    return update(_tasks).where(_target(conditional)).values(**values).returning(*COLUMNS)


def _remove(conditional: bool) -> ReturningDelete[Any]:
    """Returns what it removed: a removal under an idempotency key keeps it with the key."""
    return delete(_tasks).where(_target(conditional)).returning(*COLUMNS)


def _change(fields: tuple[str, ...], conditional: bool) -> Update:
    values: dict[str, Any] = {name: bindparam(f"new_{name}") for name in fields}
    statement = update(_tasks).where(_target(conditional))
    return statement.values(**_next_version, **values).returning(*COLUMNS)


# Each write with and without the version check (bound as `expected`); a change for each set
# of fields it may set (TaskChanges.fields), each bound as `new_<field>`.
TOGGLE = {conditional: _toggle(conditional) for conditional in (False, True)}
REMOVE = {conditional: _remove(conditional) for conditional in (False, True)}
CHANGE = {
    (fields, conditional): _change(fields, conditional)
    for size in range(1, len(CHANGEABLE) + 1)
    for fields in combinations(CHANGEABLE, size)
    for conditional in (False, True)
}


ListShape = tuple[bool, bool, str, bool, bool]  # completed?, text?, sort, paged?, after?


@lru_cache(maxsize=256)
def list_statement(shape: ListShape, postgres: bool) -> Select[Any]:
    """The SELECT for one shape of list query (which filters, which order, paged or not); its
    values are bound as `owner`, `completed`, `pattern`, `after_value`, `after_id`, `limit`.

    Orders by the sort field then the id, in one direction, so that "after this task" is one
    row comparison; (user_id, id) and (user_id, updated_at, id) are indexed, the other orders
    sort the user's matching tasks. Titles compare as code points on both databases
    (PostgreSQL's "C" collation; SQLite's BINARY), as Python compares them.
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


def list_shape(query: TaskQuery) -> ListShape:
    return (
        query.completed is not None,
        query.text is not None,
        query.sort,
        query.limit is not None,
        query.after is not None,
    )


def list_parameters(owner: str, query: TaskQuery) -> dict[str, Any]:
    """The values `list_statement` binds; one extra row tells whether another page follows."""
    parameters: dict[str, Any] = {"owner": owner}
    if query.completed is not None:
        parameters["completed"] = query.completed
    if query.text is not None:
        parameters["pattern"] = "%" + _escaped(query.text.lower()) + "%"
    if query.limit is not None:
        parameters["limit"] = query.limit + 1
    if query.after is not None:
        parameters["after_value"], parameters["after_id"] = query.after
    return parameters


def _escaped(text: str) -> str:
    """`%` and `_` match themselves in a search, as the user typed them."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


_POSTGRES = make_url("postgresql+psycopg://").get_dialect()()


def postgres_text(statement: ClauseElement) -> str:
    """The statement as psycopg runs it, with `%(name)s` placeholders."""
    return str(statement.compile(dialect=_POSTGRES))


# Idempotency keys (see `writes.py` for PostgreSQL's single keyed statement).
_keys = IdempotencyKeyRow.__table__  # type: ignore[attr-defined]
_KEPT_TASK = ["task_id", "title", "description", "completed", "task_created_at", "task_updated_at"]
_this_key = (_keys.c.user_id == bindparam("owner")) & (_keys.c.key == bindparam("key"))
KEPT = select(
    _keys.c.fingerprint, _keys.c.removed, *(_keys.c[name] for name in _KEPT_TASK), _keys.c.version
).where(_this_key, _keys.c.created_at >= bindparam("fresh_after"))
# An expired key still on record, before the key is used afresh.
FORGET_EXPIRED_KEY = delete(_keys).where(_this_key, _keys.c.created_at < bindparam("fresh_after"))
KEEP = insert(_keys).values(
    user_id=bindparam("owner"),
    key=bindparam("key"),
    fingerprint=bindparam("fingerprint"),
    created_at=bindparam("at"),
    removed=bindparam("removed"),
    task_id=bindparam("task_id"),
    title=bindparam("title"),
    description=bindparam("description"),
    completed=bindparam("completed"),
    task_created_at=bindparam("created_at"),
    task_updated_at=bindparam("updated_at"),
    version=bindparam("version"),
)
PURGE_KEYS = delete(_keys).where(_keys.c.created_at < bindparam("keys_before"))


# Incremental sync: tasks by the stamp of their last write, tombstones by their deletion's.
_tombstones = TombstoneRow.__table__  # type: ignore[attr-defined]
_sync = SyncStateRow.__table__  # type: ignore[attr-defined]
CHANGED = (
    select(*COLUMNS)
    .where(_tasks.c.user_id == bindparam("owner"), _tasks.c.changed_in >= bindparam("stamp"))
    .order_by(_tasks.c.id)
)
DELETED = (
    select(_tombstones.c.task_id)
    .where(_tombstones.c.user_id == bindparam("owner"), _tombstones.c.stamp >= bindparam("stamp"))
    .order_by(_tombstones.c.task_id)
)
# SQLite: writes are serialised, so every write committed so far has a stamp up to `clock`.
SQLITE_HORIZON = select(_sync.c.clock + literal_column("1"), _sync.c.purged_through).where(
    _sync.c.id == literal_column("1")
)
# PostgreSQL: no transaction older than the snapshot's xmin is still running, so a write that
# commits later has a stamp (its transaction id) of at least xmin.
POSTGRES_HORIZON = select(
    literal_column("pg_snapshot_xmin(pg_current_snapshot())::text::bigint"),
    _sync.c.purged_through,
).where(_sync.c.id == literal_column("1"))
_purged = (
    select(func.max(_tombstones.c.stamp))
    .where(_tombstones.c.deleted_at < bindparam("tombstones_before"))
    .scalar_subquery()
)
ADVANCE_PURGED = (
    update(_sync)
    .where(_sync.c.id == literal_column("1"), _sync.c.purged_through < _purged)
    .values(purged_through=_purged)
)
PURGE_TOMBSTONES = delete(_tombstones).where(
    _tombstones.c.deleted_at < bindparam("tombstones_before")
)
