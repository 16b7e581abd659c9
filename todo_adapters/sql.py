"""SqlTaskRepository: the TaskRepository port on PostgreSQL (psycopg 3) or SQLite.

Each method is ONE statement, which is atomic by itself; writes are `INSERT/UPDATE/DELETE
... RETURNING`, so concurrent requests cannot lose each other's changes (no read-modify-write
in Python). Statements are built once with bind parameters: building and hashing a fresh
statement per call cost more than the query itself. SQLAlchemy Core over the SQLModel table
maps rows straight to the domain's dataclass, with no ORM identity map to fill per call.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, delete, insert, not_, select, update
from sqlalchemy import exc as sa_exc
from sqlalchemy.sql import Executable

from todo_adapters.sql_schema import TaskRow
from todo_core.errors import StorageUnavailable
from todo_core.tasks import NewTask, Task, TaskChanges, is_task_id

_tasks = TaskRow.__table__  # type: ignore[attr-defined]
_columns = [_tasks.c[name] for name in Task.__dataclass_fields__]
_mine = (_tasks.c.id == bindparam("task_id")) & (_tasks.c.user_id == bindparam("owner"))

_LIST = select(*_columns).where(_tasks.c.user_id == bindparam("owner")).order_by(_tasks.c.id)
_GET = select(*_columns).where(_mine)
_ADD = insert(_tasks).returning(*_columns)
_TOGGLE = (
    update(_tasks)
    .where(_mine)
    .values(completed=not_(_tasks.c.completed), updated_at=bindparam("now"))
    .returning(*_columns)
)
_REMOVE = delete(_tasks).where(_mine)
_CHANGE: dict[tuple[str, ...], Executable] = {}  # one statement per set of changed fields


def _change_statement(fields: tuple[str, ...]) -> Executable:
    statement = _CHANGE.get(fields)
    if statement is None:
        values: dict[str, Any] = {name: bindparam(f"new_{name}") for name in fields}
        statement = (
            update(_tasks)
            .where(_mine)
            .values(updated_at=bindparam("now"), **values)
            .returning(*_columns)
        )
        _CHANGE[fields] = statement
    return statement


class SqlTaskRepository:
    """Tasks in the `tasks` table, through any engine (best: `database.make_engine`'s)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def list(self, owner: str) -> list[Task]:
        with self._connection() as db:
            return [Task(*row) for row in db.execute(_LIST, {"owner": owner})]

    def get(self, owner: str, task_id: int) -> Task | None:
        if not is_task_id(task_id):
            return None
        return self._one(_GET, owner=owner, task_id=task_id)

    def add(self, owner: str, new: NewTask, now: datetime) -> Task:
        task = self._one(
            _ADD,
            user_id=owner,
            title=new.title,
            description=new.description,
            completed=False,
            created_at=now,
            updated_at=now,
        )
        assert task is not None  # an INSERT ... RETURNING always returns its row
        return task

    def change(self, owner: str, task_id: int, changes: TaskChanges, now: datetime) -> Task | None:
        if not is_task_id(task_id):
            return None
        values = {f"new_{name}": value for name, value in changes.values().items()}
        statement = _change_statement(changes.fields)
        return self._one(statement, owner=owner, task_id=task_id, now=now, **values)

    def toggle(self, owner: str, task_id: int, now: datetime) -> Task | None:
        if not is_task_id(task_id):
            return None
        return self._one(_TOGGLE, owner=owner, task_id=task_id, now=now)

    def remove(self, owner: str, task_id: int) -> bool:
        if not is_task_id(task_id):
            return False
        with self._connection() as db:
            deleted: int = db.execute(_REMOVE, {"owner": owner, "task_id": task_id}).rowcount
        return deleted > 0

    def _one(self, statement: Executable, **parameters: Any) -> Task | None:
        with self._connection() as db:
            row = db.execute(statement, parameters).first()
        return None if row is None else Task(*row)

    @contextmanager
    def _connection(self) -> Iterator[Connection]:
        """A pooled connection for one statement, committed after it (a no-op on the autocommit
        engines `make_engine` builds; a real COMMIT on an importer's ordinary engine). A database
        that cannot be reached becomes StorageUnavailable."""
        try:
            with self._engine.connect() as connection:
                yield connection
                connection.commit()
        except (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError) as error:
            raise StorageUnavailable(type(error).__name__) from error
