"""Where the API keeps tasks: the configured database, opened once it answers and its schema
is current, and closed when the app stops (the container's `task_store` resource)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import replace

import psycopg

from todo_adapters.observed import observed
from todo_adapters.observing import NO_OBSERVER, Observer
from todo_adapters.sql.options import connect_args_for
from todo_adapters.sql.pool import Connections
from todo_adapters.sql.repository_async import AsyncSqlTaskRepository
from todo_adapters.sql.revision import at_head, postgres_revision
from todo_adapters.sql.urls import is_postgres, where
from todo_api.resources.task_store import TaskStore
from todo_api.settings import Settings


async def open_task_store(
    settings: Settings, observer: Observer = NO_OBSERVER
) -> AsyncIterator[TaskStore]:
    """The configured database once it answers and its schema is current: PostgreSQL on
    psycopg's async pool, or SQLite (whose driver is synchronous) on a few threads; each call
    told to `observer` (metrics, traces)."""
    async with _opened(settings) as store:
        yield replace(store, repository=observed(store.repository, observer))


def _opened(settings: Settings) -> AbstractAsyncContextManager[TaskStore]:
    if is_postgres(settings.effective_database_url):
        return _postgres(settings)
    # SQLite's store is built on SQLAlchemy, which a PostgreSQL start never loads.
    from todo_api.resources.sqlite_store import sqlite_store

    return sqlite_store(settings)


@asynccontextmanager
async def _postgres(settings: Settings) -> AsyncIterator[TaskStore]:
    url = settings.effective_database_url
    connections = Connections(url, settings.pool_options)
    await connections.wait_until_reachable(settings.db_startup_timeout_seconds)
    if settings.migrate_on_start:
        await _migrated(settings)
    await connections.open(settings.db_startup_timeout_seconds)
    try:
        store = AsyncSqlTaskRepository(connections)
        yield TaskStore(store, store.ping, where(url), connections.pool.get_stats)
    finally:
        await connections.close()


async def _migrated(settings: Settings) -> None:
    """The schema at the head: asked over psycopg first, and brought there by Alembic (on a
    thread: it is synchronous) only when it is not, or when that host did not answer yet."""
    url = settings.effective_migrations_url
    try:
        if at_head(await postgres_revision(url, connect_args_for(url, settings.pool_options))):
            return
    except psycopg.OperationalError:  # the direct host may still be waking up: migrate waits
        pass
    from todo_api.resources.migration import migrate  # SQLAlchemy and Alembic: only now

    await asyncio.to_thread(migrate, settings)
