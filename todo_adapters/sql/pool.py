"""psycopg's async connection pool, set up for a request path that must answer quickly.

Two behaviours differ from the pool's defaults. A connection idle for a while is pinged
before use (a dead one is replaced, never handed out), one used a moment ago is not (a ping is
a round trip per request). And when the database cannot be reached, callers learn it as soon as
the attempt to connect fails, instead of each waiting out the pool timeout; the pool retries on
demand, so service resumes with the first request after the database is back.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime, timedelta, tzinfo
from typing import Any

import psycopg
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from todo_adapters.sql.options import PoolOptions, connect_args_for
from todo_adapters.sql.poolers import Route, ask_async, known_route
from todo_adapters.sql.urls import driver_url, libpq_url, query
from todo_adapters.sql.waiting import wait_until_reachable_async
from todo_core.errors import StorageUnavailable

log = logging.getLogger(__name__)


# The most statements a connection keeps a cursor for, the most recently run: a few dozen run
# often (a list's shapes, the writes), each cursor holding its last result until it runs again.
KEPT_CURSORS = 16


class PooledConnection(psycopg.AsyncConnection[Any]):
    """A connection that remembers when it was last handed back to the pool, and keeps a
    cursor for each statement it runs often."""

    returned_at = 0.0  # monotonic; 0 for a new connection, which needs no ping
    _cursors: dict[str, psycopg.AsyncCursor[Any]] | None = None  # least recently run first

    def cursor_for(self, sql: str) -> psycopg.AsyncCursor[Any]:
        """The cursor that ran `sql` here before: psycopg keeps a cursor's loaders and
        dumpers while it runs the same query (the same `str` object) again, which saved
        CPU on every statement (the docs' performance page). Its timestamp loaders keep the
        session's zone: every session of the pool runs in UTC (`Connections._connected`)."""
        cursors = self._cursors
        if cursors is None:
            cursors = self._cursors = {}
        cursor = cursors.pop(sql, None)
        if cursor is None:
            cursor = self.cursor(binary=True)
            if len(cursors) >= KEPT_CURSORS:
                del cursors[next(iter(cursors))]
        cursors[sql] = cursor
        return cursor

    def forget_cursor(self, sql: str) -> None:
        """Let `sql`'s cursor go, and the result it holds (a long list's) with it."""
        if self._cursors is not None:
            self._cursors.pop(sql, None)


class Connections:
    """The pool, and what the repository needs of it: a connection now, or a clear error."""

    def __init__(self, url: str, options: PoolOptions) -> None:
        self._options = options
        self.call_timeout_seconds = options.call_timeout_seconds
        self._failing = False
        self._failed: asyncio.Future[None] | None = None  # resolved by the next failed connect
        self._returning: set[asyncio.Task[None]] = set()
        self._conninfo = libpq_url(url)
        self._url = driver_url(url)
        self._route = known_route(self._url, "options" in query(self._url))
        self._arguments = self._arguments_for(self._route or "direct")
        self.pool = AsyncConnectionPool(
            self._conninfo,
            connection_class=PooledConnection,
            kwargs=self._arguments,  # settled once the server has been asked
            min_size=options.size,
            max_size=options.size + options.max_overflow,
            timeout=options.timeout_seconds,
            max_lifetime=options.recycle_seconds,
            check=self._check,
            configure=self._connected,
            reconnect_timeout=0,  # no background retries: the next caller's demand retries
            reconnect_failed=self._not_connected,
            open=False,
        )

    async def wait_until_reachable(self, seconds: float) -> None:
        """Connect until the database answers (backoff with jitter; StorageUnavailable after
        `seconds`), without opening the pool."""

        async def ping() -> None:
            if self._route is None:
                self._settle(await ask_async(self._conninfo, self._arguments_for("pooler")))
                return
            async with await PooledConnection.connect(self._conninfo, **self._arguments):
                pass

        await wait_until_reachable_async(ping, seconds, (psycopg.OperationalError,))

    async def open(self, wait_seconds: float = 30) -> None:
        """Open the pool and wait for its first connections."""
        if self._route is None:
            await self.wait_until_reachable(wait_seconds)
        try:
            await self.pool.open(wait=True, timeout=max(wait_seconds, 1))
        except PoolTimeout:
            await self.pool.close()
            raise StorageUnavailable(
                f"could not open {self.pool.min_size} connections in {wait_seconds:g} s"
            ) from None

    async def close(self) -> None:
        await self.pool.close()

    @property
    def route(self) -> Route | None:
        """How the server is reached, once known: `direct`, `neon-pooler` or `pooler`."""
        return self._route

    def _arguments_for(self, route: Route) -> dict[str, Any]:
        return {"autocommit": True, **connect_args_for(self._url, self._options, route=route)}

    def _settle(self, route: Route) -> None:
        """What asking the server found decides what every connection carries."""
        self._route = route
        self._arguments = self.pool.kwargs = self._arguments_for(route)
        if route == "pooler":
            log.info(
                "PostgreSQL is behind a transaction pooler (it refused or dropped a startup "
                "option): statement timeout left to the role (ALTER ROLE ... SET "
                "statement_timeout), prepared statements %s",
                "on (DB_PREPARED_STATEMENTS)"
                if "prepare_threshold" not in self._arguments
                else "off (DB_PREPARED_STATEMENTS=on where the pooler keeps them)",
            )

    async def acquire(self) -> PooledConnection:
        """A connection at once when one is idle; otherwise one as soon as it is free or opened,
        but StorageUnavailable as soon as opening one fails (the database is gone: waiting out
        the pool timeout would only delay the 503), or after the pool timeout."""
        try:
            if self._failing or not self.pool.get_stats()["pool_available"]:
                return await self._acquire_unless_unreachable()
            connection: PooledConnection = await self.pool.getconn()
        except PoolTimeout as error:
            raise StorageUnavailable("PoolTimeout") from error
        return connection

    async def release(self, connection: PooledConnection) -> None:
        connection.returned_at = time.monotonic()
        await self.pool.putconn(connection)

    async def _acquire_unless_unreachable(self) -> PooledConnection:
        """Wait for a connection, but only until the next attempt to open one fails."""
        if self._failed is None:
            self._failed = asyncio.get_running_loop().create_future()
        failed = self._failed
        getting = asyncio.ensure_future(self.pool.getconn())
        try:
            await asyncio.wait((getting, failed), return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:  # the call was abandoned: so is its wait
            self._abandon(getting)
            raise
        if getting.done():
            connection: PooledConnection = getting.result()
            return connection
        self._abandon(getting)
        raise StorageUnavailable("the database cannot be reached")

    def _abandon(self, getting: asyncio.Future[PooledConnection]) -> None:
        """Stop waiting for a connection, and hand back one that arrives all the same.

        It can: the pool waits with `asyncio.wait_for`, which on Python 3.11 returns the
        result instead of the cancellation when both come in the same loop iteration.
        """
        getting.cancel()
        getting.add_done_callback(self._give_back)

    def _give_back(self, getting: asyncio.Future[PooledConnection]) -> None:
        if not getting.cancelled() and getting.exception() is None:
            returning = asyncio.get_running_loop().create_task(self.release(getting.result()))
            self._returning.add(returning)  # the loop keeps only a weak reference to tasks
            returning.add_done_callback(self._returning.discard)

    async def _check(self, connection: PooledConnection) -> None:
        """The pool's check on hand-out: ping only connections idle long enough to have been
        dropped (a restart, a suspended Neon compute); a failed ping makes the pool replace it."""
        idle = time.monotonic() - connection.returned_at
        if connection.returned_at and idle >= self._options.ping_after_idle_seconds:
            await connection.execute("")

    async def _connected(self, connection: PooledConnection) -> None:
        """The pool's set-up of each new connection. psycopg returns `timestamptz` in the
        session's TimeZone, so a server (or database, or role) set to another zone is switched
        to UTC; PgBouncer tracks TimeZone, so this holds through a transaction pooler too."""
        if not _is_utc(connection.info.timezone):
            await connection.execute("SET TIME ZONE 'UTC'")
        if self._failing:
            log.info("database reachable again")
        self._failing = False

    async def _not_connected(self, _: AsyncConnectionPool[Any]) -> None:
        if not self._failing:
            log.warning("database not reachable: requests get 503 until it is back")
        self._failing = True
        failed, self._failed = self._failed, None
        if failed is not None and not failed.done():
            failed.set_result(None)


def _is_utc(zone: tzinfo) -> bool:
    """UTC, or a zone that never leaves it (GMT, Etc/UTC, ...)."""
    return all(
        datetime(2026, month, 1, tzinfo=zone).utcoffset() == timedelta(0) for month in (1, 7)
    )
