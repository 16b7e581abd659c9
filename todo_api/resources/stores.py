"""Where the API keeps tasks: the configured database, opened once it answers and its schema
is current, and closed when the app stops (the container's `task_store` resource)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, replace
from functools import partial

from todo_adapters.observed import observed
from todo_adapters.observing import NO_OBSERVER, Observer
from todo_adapters.sql import (
    AsyncSqlTaskRepository,
    Connections,
    SqlTaskRepository,
    make_engine,
    wait_for_database,
)
from todo_adapters.sql.migrating import upgraded
from todo_adapters.sql.options import connect_args_for
from todo_adapters.sql.schema import Migrated, migration_engine
from todo_adapters.sql.urls import is_postgres, where
from todo_adapters.threaded import ThreadedTaskRepository
from todo_api.resources.threads import thread_pool
from todo_api.settings import Settings
from todo_core.ports_async import AsyncTaskRepository


@dataclass(frozen=True)
class TaskStore:
    repository: AsyncTaskRepository
    ping: Callable[[], Awaitable[None]]  # one round trip; raises when unreachable
    where: str  # kind and host, for the start-up line; never a password
    pool_stats: Callable[[], Mapping[str, int]] | None = None  # psycopg_pool's, for metrics


async def _always_ready() -> None:
    return None


def memory_store(repository: AsyncTaskRepository) -> TaskStore:
    """Tasks kept in the process (tests, demos): always reachable, gone when it exits."""
    return TaskStore(repository, _always_ready, "memory (nothing is kept after exit)")


async def open_task_store(
    settings: Settings, observer: Observer = NO_OBSERVER
) -> AsyncIterator[TaskStore]:
    """The configured database once it answers and its schema is current: PostgreSQL on
    psycopg's async pool, or SQLite (whose driver is synchronous) on a few threads; each call
    told to `observer` (metrics, traces)."""
    opened = _postgres if is_postgres(settings.effective_database_url) else _sqlite
    async with opened(settings) as store:
        yield replace(store, repository=observed(store.repository, observer))


@asynccontextmanager
async def _postgres(settings: Settings) -> AsyncIterator[TaskStore]:
    url = settings.effective_database_url
    connections = Connections(url, settings.pool_options)
    await connections.wait_until_reachable(settings.db_startup_timeout_seconds)
    if settings.migrate_on_start:
        await asyncio.to_thread(migrate, settings)
    await connections.open(settings.db_startup_timeout_seconds)
    try:
        store = AsyncSqlTaskRepository(connections)
        yield TaskStore(store, store.ping, where(url), connections.pool.get_stats)
    finally:
        await connections.close()


@asynccontextmanager
async def _sqlite(settings: Settings) -> AsyncIterator[TaskStore]:
    url = settings.effective_database_url
    engine = make_engine(url, settings.pool_options)
    try:
        with contextmanager(thread_pool)(settings.blocking_threads, "task-store") as threads:
            run = partial(asyncio.get_running_loop().run_in_executor, threads)
            await run(wait_for_database, engine, settings.db_startup_timeout_seconds)
            if settings.migrate_on_start:
                await run(migrate, settings)
            sync = SqlTaskRepository(engine)
            store = ThreadedTaskRepository(sync, threads, settings.db_call_timeout_seconds)
            yield TaskStore(store.port, partial(store.run, sync.ping), where(url))
    finally:
        engine.dispose()


def migrate(settings: Settings) -> Migrated:
    """Bring the schema to the newest revision, over MIGRATIONS_DATABASE_URL when set."""
    url = settings.effective_migrations_url
    no_timeout = replace(settings.pool_options, statement_timeout_ms=0)  # DDL may take a while
    engine = migration_engine(url, connect_args_for(url, no_timeout))
    try:  # the direct host may still be waking up when the pooled one already answers
        wait_for_database(engine, settings.db_startup_timeout_seconds)
        return upgraded(engine)
    finally:
        engine.dispose()
