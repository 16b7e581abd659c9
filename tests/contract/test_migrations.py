"""The Alembic history: every step reversible, the head equal to the models, and one migration
when many processes start together on an empty database."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

from tests.support.databases import temporary_database
from todo_adapters.sql import (
    SqlTaskRepository,
    make_engine,
    table,  # noqa: F401  (the models autogenerate compares with)
)
from todo_adapters.sql.migrating import upgraded
from todo_adapters.sql.migrations import (
    Migrated,
    alembic_config,
    downgrade,
    head_revision,
    migration_engine,
    upgrade,
)
from todo_adapters.sql.revision import HEAD_REVISION
from todo_adapters.sql.schema import current_revision
from todo_core.idempotency import KEYS_PER_OWNER, IdempotencyKey
from todo_core.syncing import TOMBSTONES_PER_OWNER
from todo_core.tasks import NewTask
from todo_core.writes import Add

STARTERS = 8
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    request.getfixturevalue("postgres_url")  # skips (or fails in CI) without a server
    with temporary_database("todo_empty") as url:
        yield url


def revisions() -> list[str]:
    """Oldest first."""
    script = ScriptDirectory.from_config(alembic_config())
    return [revision.revision for revision in reversed(list(script.walk_revisions()))]


def current(url: str) -> str | None:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def test_stairway_every_revision_goes_up_down_and_up_again(empty_database: str) -> None:
    engine = migration_engine(empty_database)
    try:
        previous = "base"
        for revision in revisions():
            upgrade(engine, revision)
            downgrade(engine, previous)
            assert current(empty_database) == (None if previous == "base" else previous)
            upgrade(engine, revision)
            assert current(empty_database) == revision
            previous = revision
        assert previous == head_revision()
    finally:
        engine.dispose()


def test_the_migrated_schema_is_what_the_models_declare(empty_database: str) -> None:
    engine = migration_engine(empty_database)
    upgrade(engine)
    engine.dispose()
    engine = make_engine(empty_database)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []
    engine.dispose()


def test_starters_racing_on_an_empty_database_migrate_it_once(empty_database: str) -> None:
    barrier = threading.Barrier(STARTERS)
    results: list[Migrated] = []
    failures: list[BaseException] = []

    def start() -> None:
        engine = migration_engine(empty_database)
        try:
            barrier.wait()
            results.append(upgrade(engine))
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
    assert [result.changed for result in results].count(True) == 1
    engine = make_engine(empty_database)
    assert sorted(inspect(engine).get_table_names()) == [
        "alembic_version",
        "idempotency_keys",
        "sync_state",
        "task_counts",
        "task_tombstones",
        "tasks",
    ]
    with engine.connect() as connection:
        versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    assert versions == [(head_revision(),)]
    task = SqlTaskRepository(engine).add("alice", NewTask("works"), T0)
    assert task is not None
    assert task.id == 1
    engine.dispose()


def test_counting_tasks_starts_from_the_tasks_already_there(empty_database: str) -> None:
    """0004 counts each owner's existing tasks, so the limit holds from the first create."""
    engine = migration_engine(empty_database)
    try:
        upgrade(engine, "0003")
        with engine.begin() as connection:
            for owner, count in (("alice", 3), ("bob", 1)):
                for n in range(count):
                    connection.execute(
                        text(
                            "INSERT INTO tasks (user_id, title, completed, created_at,"
                            " updated_at, version) VALUES (:owner, :title, false, :at, :at, 1)"
                        ),
                        {"owner": owner, "title": f"t{n}", "at": T0},
                    )
        upgrade(engine)
        with engine.connect() as connection:
            counts = connection.execute(text("SELECT user_id, tasks FROM task_counts")).all()
        assert sorted(counts) == [("alice", 3), ("bob", 1)]
        tasks = make_engine(empty_database)
        repository = SqlTaskRepository(tasks)
        assert repository.add("alice", NewTask("fourth"), T0, limit=3) is None
        assert repository.add("bob", NewTask("second"), T0, limit=3) is not None
        tasks.dispose()
    finally:
        engine.dispose()


def test_bounding_keys_and_tombstones_counts_those_already_there(empty_database: str) -> None:
    """0005 counts each owner's existing keys and tombstones (an owner may have only those),
    and the bounds it sets are the domain's."""
    engine = migration_engine(empty_database)
    try:
        upgrade(engine, "0004")
        tasks = make_engine(empty_database)
        repository = SqlTaskRepository(tasks)
        for owner, keys in (("alice", 2), ("carol", 1)):
            for n in range(keys):
                write = Add(NewTask(f"t{n}"), T0)
                repository.write_once(owner, IdempotencyKey.of(f"k{n}", write, T0), write)
        for owner in ("alice", "bob"):
            task = repository.add(owner, NewTask("gone"), T0)
            assert task is not None
            assert repository.remove(owner, task.id)
        tasks.dispose()
        upgrade(engine)
        with engine.connect() as connection:
            counts = connection.execute(
                text("SELECT user_id, tasks, keys, tombstones, purged_through FROM task_counts")
            ).all()
            bounds = connection.execute(
                text("SELECT keys_per_owner, tombstones_per_owner FROM sync_state")
            ).one()
        assert sorted(counts) == [
            ("alice", 2, 2, 1, 0),
            ("bob", 0, 0, 1, 0),
            ("carol", 1, 1, 0, 0),
        ]
        assert tuple(bounds) == (KEYS_PER_OWNER, TOMBSTONES_PER_OWNER)
        downgrade(engine, "0004")  # with rows there, and up again: counted the same
        upgrade(engine)
        with engine.connect() as connection:
            again = connection.execute(
                text("SELECT user_id, tasks, keys, tombstones, purged_through FROM task_counts")
            ).all()
        assert sorted(again) == sorted(counts)
    finally:
        engine.dispose()


def test_the_head_a_start_compares_with_is_alembics() -> None:
    """A start skips Alembic when the database is at HEAD_REVISION: a new migration must
    move it, or starts would never apply that migration."""
    assert head_revision() == HEAD_REVISION


def test_a_start_at_the_head_reads_one_row_and_one_behind_migrates(empty_database: str) -> None:
    engine = migration_engine(empty_database)
    try:
        assert current_revision(engine) is None
        upgrade(engine, "0004")
        assert current_revision(engine) == "0004"
        assert upgraded(engine) == Migrated("0004", HEAD_REVISION)
        assert upgraded(engine) == Migrated(HEAD_REVISION, HEAD_REVISION)
    finally:
        engine.dispose()
