"""What the container builds for the process, and closes when it ends: the task store (with
its migrations), thread pools, and the token verifiers. Each function is a provider's recipe;
`container.py` says which one serves what."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from functools import partial

from todo_adapters.sql import (
    AsyncSqlTaskRepository,
    Connections,
    SqlTaskRepository,
    make_engine,
    ping,
    wait_for_database,
)
from todo_adapters.sql.migrations import Migrated, migration_engine, upgrade
from todo_adapters.sql.options import connect_args_for
from todo_adapters.sql.urls import is_postgres, where
from todo_adapters.threaded import ThreadedTaskRepository
from todo_adapters.tokens import ByAlgorithm, JwksVerifier, SharedSecretVerifier
from todo_api import dev_secret
from todo_api.settings import Settings
from todo_core.ports import AsyncTaskRepository


@dataclass(frozen=True)
class TaskStore:
    repository: AsyncTaskRepository
    ping: Callable[[], Awaitable[None]]  # one round trip; raises when unreachable
    where: str  # kind and host, for the start-up line; never a password


async def open_task_store(settings: Settings) -> AsyncIterator[TaskStore]:
    """The configured database once it answers and its schema is current: PostgreSQL on
    psycopg's async pool, or SQLite (whose driver is synchronous) on a few threads."""
    opened = _postgres if is_postgres(settings.effective_database_url) else _sqlite
    async with opened(settings) as store:
        yield store


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
        yield TaskStore(store, store.ping, where(url))
    finally:
        await connections.close()


@asynccontextmanager
async def _sqlite(settings: Settings) -> AsyncIterator[TaskStore]:
    url = settings.effective_database_url
    engine = make_engine(url, settings.pool_options)
    threads = ThreadPoolExecutor(settings.blocking_threads, thread_name_prefix="task-store")
    try:
        run = partial(asyncio.get_running_loop().run_in_executor, threads)
        await run(wait_for_database, engine, settings.db_startup_timeout_seconds)
        if settings.migrate_on_start:
            await run(migrate, settings)
        sync = SqlTaskRepository(engine)
        store = ThreadedTaskRepository(sync, threads, settings.db_call_timeout_seconds)

        async def probe() -> None:
            await store.run(ping, engine)

        yield TaskStore(store, probe, where(url))
    finally:
        threads.shutdown(wait=False, cancel_futures=True)
        engine.dispose()


def migrate(settings: Settings) -> Migrated:
    """Bring the schema to the newest revision, over MIGRATIONS_DATABASE_URL when set."""
    url = settings.effective_migrations_url
    no_timeout = replace(settings.pool_options, statement_timeout_ms=0)  # DDL may take a while
    engine = migration_engine(url, connect_args_for(url, no_timeout))
    try:  # the direct host may still be waking up when the pooled one already answers
        wait_for_database(engine, settings.db_startup_timeout_seconds)
        return upgrade(engine)
    finally:
        engine.dispose()


def thread_pool(threads: int, name: str) -> Iterator[ThreadPoolExecutor]:
    """A bounded pool of threads of its own, shut down with the app (without waiting for calls
    abandoned past their deadline)."""
    pool = ThreadPoolExecutor(threads, thread_name_prefix=name)
    try:
        yield pool
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def shared_secret_verifier_for(settings: Settings) -> SharedSecretVerifier | None:
    """HS256 with BETTER_AUTH_SECRET; in development with nothing configured, with a secret
    generated on disk (so that `todo-api token` works out of the box)."""
    if settings.better_auth_secret is not None:
        secret = settings.better_auth_secret.get_secret_value()
    elif settings.uses_dev_secret:
        path = settings.dev_secret_file or dev_secret.dev_secret_path(
            settings.effective_database_url
        )
        secret = dev_secret.load_or_create(path)
    else:
        return None
    return SharedSecretVerifier(
        secret,
        [settings.jwt_algorithm],
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        leeway_seconds=settings.jwt_leeway_seconds,
    )


def jwks_verifier_for(settings: Settings) -> JwksVerifier | None:
    """Better Auth's published keys, when JWT_JWKS_URL is set."""
    if settings.jwt_jwks_url is None:
        return None
    return JwksVerifier(
        settings.jwt_jwks_url,
        settings.jwt_jwks_algorithms,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        leeway_seconds=settings.jwt_leeway_seconds,
        timeout_seconds=settings.jwt_jwks_timeout_seconds,
        max_age_seconds=settings.jwt_jwks_max_age_seconds,
        min_refresh_seconds=settings.jwt_jwks_min_refresh_seconds,
    )


def either_verifier(
    shared: SharedSecretVerifier | None, published: JwksVerifier | None
) -> ByAlgorithm:
    """Every configured verifier, each token going to the one its algorithm names."""
    configured = [verifier for verifier in (shared, published) if verifier is not None]
    if not configured:  # Settings refuses this already; never accept tokens unverified
        raise RuntimeError("configure JWT_JWKS_URL or BETTER_AUTH_SECRET")
    return ByAlgorithm(configured)
