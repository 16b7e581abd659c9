"""Both SQL adapters behind a transaction pooler, with default options: PgBouncer 1.18 (Debian's)
in `pool_mode = transaction`, which refuses startup options and does not keep protocol-level
prepared statements. The first connection asks the server (`todo_adapters.sql.poolers`), and
every call then works however many times it is made; straight to PostgreSQL nothing is given up.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from anyio.from_thread import BlockingPortal
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from tests.support.fleet import Daemon, pgbouncer
from todo_adapters.sql import (
    AsyncSqlTaskRepository,
    Connections,
    PoolOptions,
    SqlTaskRepository,
    make_engine,
)
from todo_core.idempotency import IdempotencyKey
from todo_core.tasks import NewTask
from todo_core.writes import Add

pytestmark = pytest.mark.postgres
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
CALLS = 60  # far past psycopg's prepare threshold (5): a prepared statement would be reused


@pytest.fixture
def pooled_url(postgres_url: str, postgres_engine: Engine, tmp_path: Path) -> Iterator[str]:
    """The test database through a PgBouncer of its own."""
    direct = make_url(postgres_url).set(drivername="postgresql")
    pooler: Daemon = pgbouncer(tmp_path, direct.render_as_string(hide_password=False))
    try:
        pooler.wait_listening()
        yield direct.set(host="127.0.0.1", port=pooler.port).render_as_string(hide_password=False)
    finally:
        pooler.process.terminate()
        pooler.process.wait(10)


def test_the_async_store_finds_the_pooler_and_works_behind_it(
    pooled_url: str, portal: BlockingPortal
) -> None:
    connections = Connections(pooled_url, PoolOptions(size=4, max_overflow=4))

    async def scenario() -> tuple[str | None, int]:
        await connections.wait_until_reachable(10)
        await connections.open(10)
        try:
            tasks = AsyncSqlTaskRepository(connections)

            async def calls(n: int) -> None:
                write = Add(NewTask(f"keyed {n}"), T0)
                key = IdempotencyKey.of(f"pooled-{n}", write, T0, timedelta(hours=1))
                await tasks.write_once("pooled", key, write)
                await tasks.add("pooled", NewTask(f"plain {n}"), T0, 10_000)
                await tasks.list("pooled")
                await tasks.changed_since("pooled", 0)

            await asyncio.gather(*(calls(n) for n in range(CALLS)))
            return connections.route, len(await tasks.list("pooled"))
        finally:
            await connections.close()

    route, stored = portal.call(scenario)
    assert route == "pooler"
    assert stored == 2 * CALLS


def test_the_sync_store_finds_the_pooler_and_works_behind_it(pooled_url: str) -> None:
    engine = make_engine(pooled_url, PoolOptions(size=2, max_overflow=0))
    try:
        tasks = SqlTaskRepository(engine)
        for n in range(CALLS):
            tasks.add("pooled-sync", NewTask(f"t{n}"), T0)
            tasks.list("pooled-sync")
        assert len(tasks.list("pooled-sync")) == CALLS
        with engine.connect() as connection:  # no startup option reached the server
            assert connection.execute(text("SHOW statement_timeout")).scalar() == "0"
    finally:
        engine.dispose()


def test_straight_to_postgres_the_timeout_and_prepared_statements_stay(
    postgres_url: str, postgres_engine: Engine, portal: BlockingPortal
) -> None:
    connections = Connections(postgres_url, PoolOptions(size=1, statement_timeout_ms=1234))

    async def scenario() -> tuple[str | None, str, object]:
        await connections.open(10)
        try:
            connection = await connections.acquire()
            try:
                cursor = await connection.execute("SHOW statement_timeout")
                row = await cursor.fetchone()
                assert row is not None
                return connections.route, row[0], connection.prepare_threshold
            finally:
                await connections.release(connection)
        finally:
            await connections.close()

    assert portal.call(scenario) == ("direct", "1234ms", 5)
