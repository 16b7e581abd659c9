"""Every TaskRepository adapter, behind one fixture: a factory for an empty repository."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from todo_adapters.database import make_engine
from todo_adapters.memory import InMemoryTaskRepository
from todo_adapters.migrations import migrate
from todo_adapters.sql import SqlTaskRepository
from todo_core.ports import TaskRepository

Fresh = Callable[[], TaskRepository]


def _emptied(engine: Engine) -> Fresh:
    def fresh() -> TaskRepository:
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM tasks"))
        return SqlTaskRepository(engine)

    return fresh


_POSTGRES = pytest.param("postgres", marks=pytest.mark.postgres)


def _fresh(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Fresh]:
    if kind == "memory":
        yield InMemoryTaskRepository
    elif kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'contract.db'}"
        migrate(url)
        engine = make_engine(url)
        yield _emptied(engine)
        engine.dispose()
    else:
        yield _emptied(request.getfixturevalue("postgres_engine"))


@pytest.fixture(params=["memory", "sqlite", _POSTGRES])
def fresh_repository(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Fresh]:
    """Call it for an empty repository of the parametrized kind (the engine is shared)."""
    yield from _fresh(request.param, request, tmp_path)


@pytest.fixture(params=["sqlite", _POSTGRES])
def sql_repository(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlTaskRepository]:
    """The SQL adapters only, for what depends on column types."""
    for fresh in _fresh(request.param, request, tmp_path):
        repository = fresh()
        assert isinstance(repository, SqlTaskRepository)
        yield repository


@pytest.fixture
def repository(fresh_repository: Fresh) -> TaskRepository:
    return fresh_repository()
