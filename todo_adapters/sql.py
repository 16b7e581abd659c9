"""SqlTaskRepository: the TaskRepository port on PostgreSQL (psycopg 3) or SQLite.

Each method is one transaction of one statement; writes are `UPDATE/INSERT/DELETE ...
RETURNING`, so concurrent requests cannot lose each other's changes (no read-modify-write in
Python). It works on SQLAlchemy Core over the SQLModel table: rows map straight to the
domain's dataclass, with no ORM identity map to fill and throw away on every call.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, not_, select, update
from sqlalchemy import exc as sa_exc

from todo_adapters.sql_schema import TaskRow
from todo_core.errors import StorageUnavailable
from todo_core.tasks import NewTask, Task, TaskChanges, is_task_id

_tasks = TaskRow.__table__  # type: ignore[attr-defined]
_columns = [_tasks.c[name] for name in Task.__dataclass_fields__]
_owned = _tasks.c.user_id
_id = _tasks.c.id


class SqlTaskRepository:
    """Tasks in the `tasks` table of any SQLAlchemy engine this package created or accepts."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def list(self, owner: str) -> list[Task]:
        query = select(*_columns).where(_owned == owner).order_by(_id)
        with self._transaction() as db:
            return [Task(*row) for row in db.execute(query)]

    def get(self, owner: str, task_id: int) -> Task | None:
        if not is_task_id(task_id):
            return None
        return self._one(select(*_columns).where(_id == task_id, _owned == owner))

    def add(self, owner: str, new: NewTask, now: datetime) -> Task:
        statement = insert(_tasks).values(
            user_id=owner,
            title=new.title,
            description=new.description,
            completed=False,
            created_at=now,
            updated_at=now,
        )
        task = self._one(statement.returning(*_columns))
        assert task is not None  # an INSERT ... RETURNING always returns its row
        return task

    def change(self, owner: str, task_id: int, changes: TaskChanges, now: datetime) -> Task | None:
        return self._update(owner, task_id, updated_at=now, **changes.values())

    def toggle(self, owner: str, task_id: int, now: datetime) -> Task | None:
        return self._update(owner, task_id, completed=not_(_tasks.c.completed), updated_at=now)

    def remove(self, owner: str, task_id: int) -> bool:
        if not is_task_id(task_id):
            return False
        with self._transaction() as db:
            return db.execute(delete(_tasks).where(_id == task_id, _owned == owner)).rowcount > 0

    def _update(self, owner: str, task_id: int, **values: Any) -> Task | None:
        if not is_task_id(task_id):
            return None
        statement = update(_tasks).where(_id == task_id, _owned == owner).values(**values)
        return self._one(statement.returning(*_columns))

    def _one(self, statement: Any) -> Task | None:
        with self._transaction() as db:
            row = db.execute(statement).first()
        return None if row is None else Task(*row)

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        """One transaction; a database that cannot be reached becomes StorageUnavailable."""
        try:
            with self._engine.begin() as connection:
                yield connection
        except (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError) as error:
            raise StorageUnavailable(type(error).__name__) from error
