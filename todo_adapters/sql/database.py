"""The database as the sync SQL repository runs it: through a SQLAlchemy engine (PostgreSQL
through psycopg 3, or SQLite), one statement, or several as one transaction, with the
driver's failures told in the domain's words."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import TypeVar

import psycopg
from sqlalchemy import Connection, Engine
from sqlalchemy import exc as sa_exc

from todo_adapters.sql.core.named import statement
from todo_adapters.sql.failures import DuplicateKey, failure
from todo_adapters.sql.statements import Rows, Statement, Values
from todo_core.errors import StorageUnavailable

__all__ = ["Database", "Engine", "Run"]  # Engine: what it runs on
T = TypeVar("T")
Run = Callable[[Statement, Values], Rows]  # a statement within a transaction


class Database:
    """Statements on connections of `engine` (best: `make_engine`'s, in autocommit mode, where
    each statement is atomic by itself and costs no BEGIN and COMMIT)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self.postgres = engine.dialect.name == "postgresql"

    def rows(self, statement: Statement, values: Values) -> Rows:
        """One statement on a pooled connection: the rows it returns (none for a write that
        returns none)."""
        with self._connection() as db:
            return _run(db, self.postgres, statement, values)

    def transaction(self, begin: str, work: Callable[[Run], T]) -> T:
        """`work`'s statements as one transaction opened by `begin`, on one connection."""
        with self._connection() as db:
            db.exec_driver_sql(begin)
            try:
                result = work(partial(_run, db, self.postgres))
            except BaseException:
                db.exec_driver_sql("ROLLBACK")
                raise
            db.exec_driver_sql("COMMIT")
            return result

    @contextmanager
    def _connection(self) -> Iterator[Connection]:
        """A pooled connection, committed after use (a no-op on autocommit engines; a real
        COMMIT on an importer's ordinary engine). A database that cannot be reached becomes
        StorageUnavailable; one lost mid-statement, StorageTimeout (see `failures.failure`)."""
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
            except sa_exc.IntegrityError as error:
                if _taken(error.orig):
                    raise DuplicateKey() from error
                raise


def _taken(cause: BaseException | None) -> bool:
    """Whether the driver's integrity error is a unique key already taken (not, say, a NOT
    NULL refused), as psycopg.errors.UniqueViolation is on the async side."""
    if isinstance(cause, psycopg.errors.UniqueViolation):
        return True
    taken = ("SQLITE_CONSTRAINT_PRIMARYKEY", "SQLITE_CONSTRAINT_UNIQUE")
    return isinstance(cause, sqlite3.IntegrityError) and cause.sqlite_errorname in taken


def _run(db: Connection, postgres: bool, name: Statement, values: Values) -> Rows:
    """The statement `name` stands for on this database (`core.named`), run."""
    found = statement(name, postgres)
    if isinstance(found, str):  # PostgreSQL text of our own
        result = db.exec_driver_sql(found, values)
    else:
        result = db.execute(found, values)
    return result.all() if result.returns_rows else []
