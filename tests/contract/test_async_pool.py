"""The async adapter's pool against a real server: dead connections, timeouts, prepared
statements, an exhausted pool, the call deadline, the session time zone, and a server that goes
away and comes back. The twin of test_pool_liveness and test_engine_options for psycopg's pool."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from anyio.from_thread import BlockingPortal

from tests.support.databases import temporary_database
from tests.support.private_postgres import PrivateCluster
from todo_adapters.sql import AsyncSqlTaskRepository, Connections, PoolOptions, migrate
from todo_adapters.sql.async_database import KEPT_ROWS
from todo_adapters.sql.listing import LIST
from todo_adapters.sql.pool import KEPT_CURSORS
from todo_adapters.sql.postgres_texts import postgres_texts
from todo_core.errors import StorageTimeout, StorageUnavailable
from todo_core.tasks import NewTask

pytestmark = pytest.mark.postgres
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
NOBODY = "owner-with-no-tasks"


@asynccontextmanager
async def opened(
    url: str, **options: object
) -> AsyncIterator[tuple[Connections, AsyncSqlTaskRepository]]:
    connections = Connections(url, PoolOptions(**options))  # type: ignore[arg-type]
    await connections.open()
    try:
        yield connections, AsyncSqlTaskRepository(connections)
    finally:
        await connections.close()


async def kill_backends(url: str) -> None:
    """Every other session on the database terminated, as a restart or a suspend would."""
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as admin:
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


def run(portal: BlockingPortal, scenario: Callable[[], Awaitable[None]]) -> None:
    portal.call(scenario)


@pytest.mark.parametrize("ping_after_idle", [0.0, 0.2])
def test_an_idle_dead_connection_is_replaced_before_use(
    portal: BlockingPortal, postgres_engine: object, postgres_url: str, ping_after_idle: float
) -> None:
    async def scenario() -> None:
        options = {"size": 1, "max_overflow": 0, "ping_after_idle_seconds": ping_after_idle}
        async with opened(postgres_url, **options) as (_, tasks):
            await tasks.list(NOBODY)
            await kill_backends(postgres_url)
            await asyncio.sleep(ping_after_idle + 0.05)
            assert await tasks.list(NOBODY) == []  # pinged, found dead, replaced: no error

    run(portal, scenario)


def test_a_just_used_dead_connection_fails_cleanly_once_then_recovers(
    portal: BlockingPortal, postgres_engine: object, postgres_url: str
) -> None:
    async def scenario() -> None:
        options = {"size": 1, "max_overflow": 0, "ping_after_idle_seconds": 60}
        async with opened(postgres_url, **options) as (_, tasks):
            await tasks.list(NOBODY)
            await kill_backends(postgres_url)
            with pytest.raises(StorageUnavailable):
                await tasks.list(NOBODY)  # a 503 at the API, never a 500
            assert await tasks.list(NOBODY) == []  # the pool replaced the dead connection

    run(portal, scenario)


def test_a_statement_over_the_timeout_is_cancelled_by_the_server(
    portal: BlockingPortal, postgres_engine: object, postgres_url: str
) -> None:
    async def scenario() -> None:
        async with opened(postgres_url, statement_timeout_ms=200) as (connections, _):
            connection = await connections.acquire()
            try:
                with pytest.raises(psycopg.errors.QueryCanceled):
                    await connection.execute("SELECT pg_sleep(2)")
                assert await (await connection.execute("SELECT 1")).fetchone() == (1,)
            finally:
                await connections.release(connection)

    run(portal, scenario)


@pytest.mark.parametrize(("setting", "threshold"), [("off", None), ("on", 5)])
def test_prepared_statements_can_be_forced(
    portal: BlockingPortal, postgres_url: str, setting: str, threshold: object
) -> None:
    async def scenario() -> None:
        async with opened(postgres_url, prepared_statements=setting) as (connections, _):
            connection = await connections.acquire()
            assert connection.prepare_threshold == threshold
            await connections.release(connection)

    run(portal, scenario)


def test_connections_are_recycled_before_neon_suspends(
    portal: BlockingPortal, postgres_url: str
) -> None:
    async def scenario() -> None:
        async with opened(postgres_url) as (connections, _):
            assert connections.pool.max_lifetime == 240

    run(portal, scenario)


def test_an_exhausted_pool_is_storage_unavailable_after_the_pool_timeout(
    portal: BlockingPortal, postgres_engine: object, postgres_url: str
) -> None:
    async def scenario() -> None:
        options = {"size": 1, "max_overflow": 0, "timeout_seconds": 0.5}
        async with opened(postgres_url, **options) as (connections, tasks):
            held = await connections.acquire()  # the only connection
            started = time.monotonic()
            with pytest.raises(StorageUnavailable):
                await tasks.list(NOBODY)
            assert 0.4 < time.monotonic() - started < 2
            await connections.release(held)
            assert await tasks.list(NOBODY) == []  # and fine once it is back

    run(portal, scenario)


def test_a_call_cut_short_by_the_deadline_is_in_doubt_and_may_still_happen(
    portal: BlockingPortal, postgres_engine: object, postgres_url: str
) -> None:
    """A toggle stuck behind a row lock gets StorageTimeout at the deadline, not at the lock's
    release; whether the abandoned toggle then lands is a race (hence "may or may not"):
    psycopg sends the server a cancel for it, on a new connection, while the test releases
    the lock in one round trip. The release usually arrives first and the toggle commits
    before the cancel; when the UPDATE's trigger (migration 0003) is first compiled in that
    session, the statement runs long enough for the cancel to win (7 runs in 25, measured;
    0 in 25 without the trigger). Either way the task is whole: toggled once or untouched."""

    async def scenario() -> None:
        async with opened(postgres_url, call_timeout_seconds=0.3) as (_, tasks):
            task = await tasks.add("alice", NewTask("locked"), T0)
            async with await psycopg.AsyncConnection.connect(postgres_url) as locker:
                await locker.execute("SELECT 1 FROM tasks WHERE id = %s FOR UPDATE", (task.id,))
                started = time.monotonic()
                with pytest.raises(StorageTimeout):
                    await tasks.toggle("alice", task.id, T0 + timedelta(seconds=1))
                assert time.monotonic() - started < 1
                await locker.rollback()
            for _ in range(250):  # up to 5 s: the abandoned call lands when the lock goes
                stored = await tasks.get("alice", task.id)
                if stored is not None and stored.completed:
                    break
                await asyncio.sleep(0.02)
            assert stored is not None
            assert (stored.completed, stored.version) in {(True, 2), (False, 1)}

    run(portal, scenario)


def test_a_call_that_never_got_a_connection_did_not_happen(
    portal: BlockingPortal, postgres_engine: object, postgres_url: str
) -> None:
    async def scenario() -> None:
        options = {"size": 1, "max_overflow": 0, "timeout_seconds": 5}
        async with opened(postgres_url, call_timeout_seconds=0.3, **options) as (
            connections,
            tasks,
        ):
            held = await connections.acquire()
            with pytest.raises(StorageUnavailable, match="not started"):
                await tasks.add("nobody-adds", NewTask("never"), T0)
            await connections.release(held)
            await asyncio.sleep(0.2)
            assert await tasks.list("nobody-adds") == []

    run(portal, scenario)


def test_timestamps_are_utc_whatever_the_servers_time_zone(portal: BlockingPortal) -> None:
    async def scenario(url: str) -> None:
        async with await psycopg.AsyncConnection.connect(url, autocommit=True) as admin:
            await admin.execute(
                f"ALTER DATABASE \"{admin.info.dbname}\" SET timezone = 'Asia/Kolkata'"
            )
        migrate(url)
        async with opened(url) as (_, tasks):
            task = await tasks.add("alice", NewTask("zoned"), T0)
            listed = await tasks.list("alice")
        assert listed == [task]
        assert task.created_at == T0
        assert task.created_at.utcoffset() == timedelta(0)

    with temporary_database("todo_zone") as url:
        portal.call(scenario, url)


def test_a_server_that_goes_away_is_a_quick_503_and_service_resumes_when_it_is_back(
    portal: BlockingPortal, private_cluster: PrivateCluster
) -> None:
    """Callers learn at once that the server is gone, though the pool timeout is 5 s, and the
    first call after the server is back is served: the pool retries on demand."""
    migrate(private_cluster.url)

    async def scenario() -> None:
        async with opened(private_cluster.url, size=2, timeout_seconds=5) as (_, tasks):
            await tasks.list(NOBODY)
            private_cluster.stop()
            slowest = 0.0
            for _ in range(20):
                started = time.monotonic()
                with pytest.raises(StorageUnavailable):
                    await tasks.list(NOBODY)
                slowest = max(slowest, time.monotonic() - started)
            assert slowest < 1
            private_cluster.start()
            started = time.monotonic()
            while True:
                try:
                    assert await tasks.list(NOBODY) == []
                    break
                except StorageUnavailable:
                    assert time.monotonic() - started < 2, "did not recover"
                    await asyncio.sleep(0.05)

    run(portal, scenario)


def test_a_connection_runs_a_statement_again_on_the_cursor_it_kept(
    portal: BlockingPortal, postgres_engine: object, postgres_url: str
) -> None:
    """Each statement keeps its cursor (so psycopg keeps its loaders), the most recently run
    `KEPT_CURSORS` of them; a long result's cursor is let go; answers stay each call's own."""

    alice, bob = f"alice-{uuid.uuid4()}", f"bob-{uuid.uuid4()}"

    async def scenario() -> None:
        async with opened(postgres_url, size=1, max_overflow=0) as (connections, tasks):
            first = await tasks.add(alice, NewTask("one"), T0)
            assert first is not None
            assert [t.title for t in await tasks.list(alice)] == ["one"]
            await tasks.add(alice, NewTask("two"), T0)
            assert [t.title for t in await tasks.list(alice)] == ["one", "two"]
            connection = await connections.acquire()
            try:
                sql = "SELECT %(n)s::int"
                kept = connection.cursor_for(sql)
                assert connection.cursor_for(sql) is kept
                for n in range(KEPT_CURSORS):
                    connection.cursor_for(f"SELECT {n}")
                assert connection.cursor_for(sql) is not kept  # the least recent went
                await connection.cursor_for(sql).execute(sql, {"n": 7})
                assert await connection.cursor_for(sql).fetchall() == [(7,)]
            finally:
                await connections.release(connection)
            for n in range(KEPT_ROWS + 1):
                await tasks.add(bob, NewTask(f"t{n}"), T0)
            listing = postgres_texts()[LIST]
            connection = await connections.acquire()
            before = connection.cursor_for(listing)
            await connections.release(connection)
            assert len(await tasks.list(bob)) == KEPT_ROWS + 1  # past the bound: let go
            connection = await connections.acquire()
            assert connection.cursor_for(listing) is not before
            await connections.release(connection)
            assert len(await tasks.list(bob)) == KEPT_ROWS + 1

    run(portal, scenario)
