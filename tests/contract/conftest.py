"""Every TaskRepository adapter, sync and async, behind one fixture: a factory for an empty
repository. Async adapters are driven through `Awaited`, so one suite holds them all."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

import pytest
from anyio.from_thread import BlockingPortal
from sqlalchemy import Engine, text

from tests.support.repositories import Awaited, RecordingObserver, SqlStore
from todo_adapters.memory import AsyncInMemoryTaskRepository, InMemoryTaskRepository
from todo_adapters.observed import observed
from todo_adapters.sql import (
    AsyncSqlTaskRepository,
    Connections,
    PoolOptions,
    SqlTaskRepository,
    make_engine,
    migrate,
)
from todo_adapters.threaded import ThreadedTaskRepository
from todo_core.idempotency import KEYS_PER_OWNER
from todo_core.ports import TaskRepository
from todo_core.ports_async import AsyncTaskRepository
from todo_core.syncing import TOMBSTONES_PER_OWNER


class Fresh(Protocol):
    """An empty repository of one kind; the bounds on what one owner keeps can be lowered
    (memory: the store's own arguments; SQL: the store's `sync_state` row)."""

    def __call__(
        self,
        *,
        keys_per_owner: int = KEYS_PER_OWNER,
        tombstones_per_owner: int = TOMBSTONES_PER_OWNER,
    ) -> TaskRepository: ...


ADAPTERS = [
    "memory",
    "memory-async",
    "memory-observed",
    "sqlite",
    "sqlite-async",
    "postgres",
    "postgres-async",
]


def _emptied(engine: Engine, make: Callable[[], TaskRepository]) -> Fresh:
    def fresh(
        *, keys_per_owner: int = KEYS_PER_OWNER, tombstones_per_owner: int = TOMBSTONES_PER_OWNER
    ) -> TaskRepository:
        bounds = {"keys": keys_per_owner, "tombstones": tombstones_per_owner}
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM tasks"))
            connection.execute(text("DELETE FROM task_tombstones"))
            connection.execute(text("DELETE FROM idempotency_keys"))
            connection.execute(text("DELETE FROM task_counts"))
            connection.execute(
                text(
                    "UPDATE sync_state SET purged_through = 0, keys_per_owner = :keys,"
                    " tombstones_per_owner = :tombstones"
                ),
                bounds,
            )
        return make()

    return fresh


def _in_memory_fresh(make: Callable[[int, int], TaskRepository]) -> Fresh:
    def fresh(
        *, keys_per_owner: int = KEYS_PER_OWNER, tombstones_per_owner: int = TOMBSTONES_PER_OWNER
    ) -> TaskRepository:
        return make(keys_per_owner, tombstones_per_owner)

    return fresh


@pytest.fixture(scope="session")
def async_postgres(
    postgres_engine: Engine, postgres_url: str, portal: BlockingPortal
) -> Iterator[AsyncSqlTaskRepository]:
    """The async adapter on the private database, its pool living on the portal's loop."""
    connections = Connections(postgres_url, PoolOptions(size=4, max_overflow=12))
    portal.call(connections.open)
    yield AsyncSqlTaskRepository(connections)
    portal.call(connections.close)


def _sqlite_engine(tmp_path: Path) -> Engine:
    url = f"sqlite:///{tmp_path / 'contract.db'}"
    migrate(url)
    return make_engine(url)


def _fresh(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[Fresh, Engine | None]]:
    portal: BlockingPortal | None = None
    if kind.endswith(("-async", "-observed")):
        portal = request.getfixturevalue("portal")
    if kind == "memory":
        yield (
            _in_memory_fresh(
                lambda keys, tombstones: InMemoryTaskRepository(
                    keys_per_owner=keys, tombstones_per_owner=tombstones
                )
            ),
            None,
        )
    elif kind.startswith("memory-"):
        assert portal is not None
        yield (
            _in_memory_fresh(
                lambda keys, tombstones: Awaited(_in_memory(kind, keys, tombstones), portal)
            ),
            None,
        )
    elif kind.startswith("sqlite"):
        engine = _sqlite_engine(tmp_path)
        with ThreadPoolExecutor(4) as threads:
            sync = SqlTaskRepository(engine)
            if portal is None:
                yield _emptied(engine, lambda: sync), engine
            else:
                threaded = ThreadedTaskRepository(sync, threads, 10)
                yield _emptied(engine, lambda: Awaited(threaded, portal)), engine
        engine.dispose()
    else:
        engine = request.getfixturevalue("postgres_engine")
        if portal is None:
            yield _emptied(engine, lambda: SqlTaskRepository(engine)), engine
        else:
            native = request.getfixturevalue("async_postgres")
            yield _emptied(engine, lambda: Awaited(native, portal)), engine


def _in_memory(kind: str, keys: int, tombstones: int) -> AsyncTaskRepository:
    """The async in-memory store; `memory-observed`: seen through the observing wrapper."""
    tasks = AsyncInMemoryTaskRepository(keys_per_owner=keys, tombstones_per_owner=tombstones)
    return observed(tasks, RecordingObserver()) if kind == "memory-observed" else tasks


def _params(kinds: list[str]) -> list[object]:
    return [pytest.param(k, marks=pytest.mark.postgres) if "postgres" in k else k for k in kinds]


@pytest.fixture(params=_params(ADAPTERS))
def fresh_repository(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Fresh]:
    """Call it for an empty repository of the parametrized kind (the engine is shared)."""
    for fresh, _ in _fresh(request.param, request, tmp_path):
        yield fresh


@pytest.fixture(params=_params([kind for kind in ADAPTERS if not kind.startswith("memory")]))
def sql_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlStore]:
    """The SQL adapters only, sync and async."""
    for fresh, engine in _fresh(request.param, request, tmp_path):
        assert engine is not None
        yield SqlStore(fresh(), engine)


@pytest.fixture
def repository(fresh_repository: Fresh) -> TaskRepository:
    return fresh_repository()


@pytest.fixture(params=_params([kind for kind in ADAPTERS if kind.startswith("postgres")]))
def postgres_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlStore]:
    """The PostgreSQL adapters only, sync and async: for what only a server with concurrent
    writers can show."""
    for fresh, engine in _fresh(request.param, request, tmp_path):
        assert engine is not None
        yield SqlStore(fresh(), engine)
