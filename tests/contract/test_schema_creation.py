"""create_schema run by many starters at once on an empty database creates the schema once."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import inspect

from tests.contract.test_repository import T0
from todo_adapters.database import create_schema, make_engine
from todo_adapters.sql import SqlTaskRepository
from todo_core.tasks import NewTask

STARTERS = 8


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    server = request.getfixturevalue("postgres_url")
    name = f"todo_empty_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"{server.rsplit('/', 1)[0]}/{name}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_starters_racing_on_an_empty_database_all_succeed(empty_database: str) -> None:
    barrier = threading.Barrier(STARTERS)
    failures: list[BaseException] = []

    def start() -> None:
        engine = make_engine(empty_database)
        try:
            barrier.wait()
            create_schema(engine)
        except BaseException as error:
            failures.append(error)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=start) for _ in range(STARTERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    engine = make_engine(empty_database)
    assert inspect(engine).get_table_names() == ["tasks"]
    assert SqlTaskRepository(engine).add("alice", NewTask("works"), T0).id == 1
    engine.dispose()
