"""Tasks in a SQLite file: its driver is synchronous, so the sync repository runs on a few
threads of its own, behind the async port."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, contextmanager
from functools import partial

from todo_adapters.sql.engine import make_engine, wait_for_database
from todo_adapters.sql.repository import SqlTaskRepository
from todo_adapters.sql.urls import where
from todo_adapters.threaded import ThreadedTaskRepository
from todo_api.resources.migration import migrate
from todo_api.resources.task_store import TaskStore
from todo_api.resources.threads import thread_pool
from todo_api.settings import Settings


@asynccontextmanager
async def sqlite_store(settings: Settings) -> AsyncIterator[TaskStore]:
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
