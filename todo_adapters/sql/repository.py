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

from todo_adapters.sql import statements, writes
from todo_adapters.sql.failures import failure
from todo_core.errors import IdempotencyKeyInUse, StorageUnavailable, SyncExpired
from todo_core.idempotency import IdempotencyKey, Outcome
from todo_core.listing import TaskQuery
from todo_core.syncing import Delta
from todo_core.tasks import NewTask, Task, TaskChanges, is_task_id
from todo_core.writes import Add, Change, Remove, Toggle, Write


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

    def add(self, owner: str, new: NewTask, now: datetime, limit: int | None = None) -> Task | None:
        return self._write(owner, Add(new, now, limit))

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
        return self._write(owner, Change(task_id, changes, now, expected))

    def toggle(
        self, owner: str, task_id: int, now: datetime, expected: int | None = None
    ) -> Task | None:
        if not is_task_id(task_id):
            return None
        return self._write(owner, Toggle(task_id, now, expected))

    def remove(self, owner: str, task_id: int, expected: int | None = None) -> bool:
        if not is_task_id(task_id):
            return False
        return self._write(owner, Remove(task_id, expected)) is not None

    def write_once(self, owner: str, key: IdempotencyKey, write: Write) -> Outcome:
        if self._postgres:
            return self._write_once_in_one_statement(owner, key, write)
        with self._transaction("BEGIN IMMEDIATE") as db:  # SQLite: one writer at a time
            kept = db.execute(statements.KEPT, _key_values(owner, key)).first()
            if kept is not None:
                fingerprint, removed, *columns = kept
                return Outcome(True, None if removed else _kept_task(owner, columns), fingerprint)
            task = _written(db, owner, write)
            if task is None:
                return Outcome(False)
            removal = isinstance(write, Remove)
            db.execute(statements.FORGET_EXPIRED_KEY, _key_values(owner, key))
            db.execute(statements.KEEP, _kept_values(owner, key, task, removal))
            return Outcome(True, None if removal else task)

    def changed_since(self, owner: str, stamp: int) -> Delta:
        begin = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" if self._postgres else "BEGIN"
        horizon = statements.POSTGRES_HORIZON if self._postgres else statements.SQLITE_HORIZON
        with self._transaction(begin) as db:  # one snapshot for all three reads
            following, purged_through = db.execute(horizon).one()
            if 0 < stamp <= purged_through:
                raise SyncExpired()
            values = {"owner": owner, "stamp": stamp}
            tasks = [Task(*row) for row in db.execute(statements.CHANGED, values)]
            deleted = list(db.execute(statements.DELETED, values).scalars()) if stamp else []
        return Delta(tasks, deleted, following)

    def purge(self, keys_before: datetime, tombstones_before: datetime) -> None:
        with self._transaction("BEGIN" if self._postgres else "BEGIN IMMEDIATE") as db:
            values = {"tombstones_before": tombstones_before}
            db.execute(statements.ADVANCE_PURGED, values)
            db.execute(statements.PURGE_TOMBSTONES, values)
            db.execute(statements.PURGE_KEYS, {"keys_before": keys_before})

    def _write_once_in_one_statement(
        self, owner: str, key: IdempotencyKey, write: Write
    ) -> Outcome:
        sql, parameters = writes.keyed_parameters(owner, key, write)
        for _ in range(writes.ATTEMPTS):
            try:
                with self._connection() as db:
                    return writes.keyed_outcome(list(db.exec_driver_sql(sql, parameters)))
            except sa_exc.IntegrityError:  # the key was kept meanwhile, or had expired
                with self._connection() as db:
                    db.execute(statements.FORGET_EXPIRED_KEY, _key_values(owner, key))
        raise IdempotencyKeyInUse("The idempotency key is in use; retry")

    def _write(self, owner: str, write: Write) -> Task | None:
        with self._connection() as db:
            return _written(db, owner, write)

    def _one(self, statement: Executable, **parameters: Any) -> Task | None:
        with self._connection() as db:
            row = db.execute(statement, parameters).first()
        return None if row is None else Task(*row)

    @contextmanager
    def _transaction(self, begin: str) -> Iterator[Connection]:
        """Several statements as one transaction, on a connection of the autocommit engine."""
        with self._connection() as db:
            db.exec_driver_sql(begin)
            try:
                yield db
            except BaseException:
                db.exec_driver_sql("ROLLBACK")
                raise
            db.exec_driver_sql("COMMIT")

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


def _written(db: Connection, owner: str, write: Write) -> Task | None:
    """Make `write` on `db`: the task as written (a removal: as it was), or None if it did not
    happen."""
    statement, parameters = writes.statement_of(owner, write)
    if statement is statements.ADD and db.dialect.name == "postgresql":
        row = db.exec_driver_sql(writes.POSTGRES_ADD, parameters).first()
    else:
        row = db.execute(statement, parameters).first()
    return None if row is None else Task(*row)


def _key_values(owner: str, key: IdempotencyKey) -> dict[str, Any]:
    return {"owner": owner, "key": key.key, "fresh_after": key.fresh_after}


def _kept_values(owner: str, key: IdempotencyKey, task: Task, removal: bool) -> dict[str, Any]:
    return {
        "owner": owner,
        "key": key.key,
        "fingerprint": key.fingerprint,
        "at": key.at,
        "removed": removal,
        "task_id": task.id,
        "title": task.title,
        "description": task.description,
        "completed": task.completed,
        "created_at": task.created_at,
        "updated_at": task.updated_at,
        "version": task.version,
    }


def _kept_task(owner: str, columns: list[Any]) -> Task:
    task_id, title, description, completed, created_at, updated_at, version = columns
    return Task(task_id, owner, title, description, completed, created_at, updated_at, version)
