"""The database as the async SQL repository runs it: PostgreSQL through psycopg's own async
pool, with no thread and no ORM between the event loop and the socket.

Chosen by measurement over SQLAlchemy's async engine, which runs every call through greenlet
switches and its execution layer (see the docs' performance page). The statements are still
defined once, in SQLAlchemy Core, for both twins; this side sends the text they were compiled
to ahead of time (`postgres_texts.sql`), so it never imports SQLAlchemy. psycopg prepares them
after a few calls per connection.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from functools import partial
from typing import TypeVar

import psycopg

from todo_adapters.deadline import Attempt, NotStarted, within
from todo_adapters.sql.failures import DuplicateKey, failure
from todo_adapters.sql.pool import Connections, PooledConnection
from todo_adapters.sql.postgres_texts import postgres_texts
from todo_adapters.sql.statements import Rows, Statement, Values

__all__ = ["AsyncDatabase", "AsyncRun", "Connections"]  # Connections: what it runs on
T = TypeVar("T")
AsyncRun = Callable[[Statement, Values], Awaitable[Rows]]  # a statement within a transaction


class AsyncDatabase:
    """Statements on connections of `connections`' pool. Each call gets the pool's
    `call_timeout_seconds` in all, wait for a connection included (see
    `todo_adapters.deadline`); an unreachable or failing server is StorageUnavailable or
    StorageTimeout, never a hang."""

    postgres = True

    def __init__(self, connections: Connections) -> None:
        self._connections = connections
        self._timeout = connections.call_timeout_seconds
        self._texts = postgres_texts()

    async def rows(self, statement: Statement, values: Values) -> Rows:
        """One statement on a pooled connection: the rows it returns (none for a write that
        returns none)."""
        return await self._within(partial(_run, self._texts[statement], values))

    async def transaction(self, begin: str, work: Callable[[AsyncRun], Awaitable[T]]) -> T:
        """`work`'s statements as one transaction opened by `begin`, on one connection."""
        return await self._within(partial(_in_transaction, self._texts, begin, work))

    async def _within(self, work: Callable[[PooledConnection], Awaitable[T]]) -> T:
        attempt = Attempt()
        return await within(self._timeout, attempt, self._on_connection(work, attempt))

    async def _on_connection(
        self, work: Callable[[PooledConnection], Awaitable[T]], attempt: Attempt
    ) -> T:
        connection: PooledConnection = await self._connections.acquire()
        try:
            if not attempt.reach():
                raise NotStarted  # the caller was told "did not happen": keep it so
            return await work(connection)
        except (psycopg.OperationalError, psycopg.InterfaceError) as error:
            raise failure(error) from error
        except psycopg.errors.UniqueViolation as error:
            raise DuplicateKey() from error
        finally:
            await self._connections.release(connection)


# A cursor whose result had more rows is not kept: it would hold the result until the
# statement ran again on its connection.
KEPT_ROWS = 100


async def _run(sql: str, values: Values, db: PooledConnection) -> Rows:
    cursor = db.cursor_for(sql)
    await cursor.execute(sql, values)
    # `rownumber`: whether the statement returned rows (`description` builds its columns).
    rows = await cursor.fetchall() if cursor.rownumber is not None else []
    if len(rows) > KEPT_ROWS:
        db.forget_cursor(sql)
    return rows


async def _in_transaction(
    texts: Mapping[Statement, str],
    begin: str,
    work: Callable[[AsyncRun], Awaitable[T]],
    db: PooledConnection,
) -> T:
    async def run(statement: Statement, values: Values) -> Rows:
        return await _run(texts[statement], values, db)

    await db.execute(begin)
    try:
        result = await work(run)
    except Exception:  # a cancelled call's transaction is the pool's to roll back
        if not db.broken:
            await db.execute("ROLLBACK")
        raise
    await db.execute("COMMIT")
    return result
