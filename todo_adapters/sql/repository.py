"""SqlTaskRepository: the TaskRepository port (sync) on PostgreSQL (psycopg 3) or SQLite.

SQLAlchemy Core over the SQLModel table maps rows straight to the domain's dataclass, with no
ORM identity map to fill per call.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy import exc as sa_exc
from sqlalchemy.sql import Executable

from todo_adapters.sql import statements
from todo_adapters.sql.failures import failure
from todo_core.errors import StorageUnavailable
from todo_core.listing import TaskQuery
from todo_core.tasks import NewTask, Task, TaskChanges, is_task_id


class SqlTaskRepository:
    """Tasks in the `tasks` table, through any engine (best: `make_engine`'s)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._postgres = engine.dialect.name == "postgresql"

    def list(self, owner: str, query: TaskQuery | None = None) -> list[Task]:
        if query is None:
            statement, parameters = statements.LIST, {"owner": owner}
        else:
            shape = statements.list_shape(query)
            statement = statements.list_statement(shape, self._postgres)
            parameters = statements.list_parameters(owner, query)
        with self._connection() as db:
            return [Task(*row) for row in db.execute(statement, parameters)]

    def get(self, owner: str, task_id: int) -> Task | None:
        if not is_task_id(task_id):
            return None
        return self._one(statements.GET, owner=owner, task_id=task_id)

    def add(self, owner: str, new: NewTask, now: datetime) -> Task:
        task = self._one(
            statements.ADD,
            owner=owner,
            title=new.title,
            description=new.description,
            completed=new.completed,
            now=now,
        )
        assert task is not None  # an INSERT ... RETURNING always returns its row
        return task

    def change(
        self,
        owner: str,
        task_id: int,
        changes: TaskChanges,
        now: datetime,
        expected: int | None = None,
    ) -> Task | None:
        if not is_task_id(task_id):
            return None
        if not changes.fields:  # nothing to change: not a write, so no new version
            task = self.get(owner, task_id)
            return task if task is None or expected in (None, task.version) else None
        values = {f"new_{name}": value for name, value in changes.values().items()}
        statement = statements.CHANGE[changes.fields, expected is not None]
        return self._one(
            statement, owner=owner, task_id=task_id, now=now, expected=expected, **values
        )

    def toggle(
        self, owner: str, task_id: int, now: datetime, expected: int | None = None
    ) -> Task | None:
        if not is_task_id(task_id):
            return None
        statement = statements.TOGGLE[expected is not None]
        return self._one(statement, owner=owner, task_id=task_id, now=now, expected=expected)

    def remove(self, owner: str, task_id: int, expected: int | None = None) -> bool:
        if not is_task_id(task_id):
            return False
        with self._connection() as db:
            parameters = {"owner": owner, "task_id": task_id, "expected": expected}
            statement = statements.REMOVE[expected is not None]
            deleted: int = db.execute(statement, parameters).rowcount
        return deleted > 0

    def _one(self, statement: Executable, **parameters: Any) -> Task | None:
        with self._connection() as db:
            row = db.execute(statement, parameters).first()
        return None if row is None else Task(*row)

    @contextmanager
    def _connection(self) -> Iterator[Connection]:
        """A pooled connection for one statement, committed after it (a no-op on the autocommit
        engines `make_engine` builds; a real COMMIT on an importer's ordinary engine). A database
        that cannot be reached becomes StorageUnavailable; one lost mid-statement,
        StorageTimeout (see `failures.failure`)."""
        try:
            connection = self._engine.connect()
        except (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError) as error:
            raise StorageUnavailable(type(error).__name__) from error
        with connection:
            try:
                yield connection
                connection.commit()
            except (sa_exc.OperationalError, sa_exc.InterfaceError) as error:
                raise failure(error.orig or error) from error
