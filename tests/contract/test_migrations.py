"""The Alembic history: every step reversible, the head equal to the models, and one migration
when many processes start together on an empty database."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text
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
from todo_core.listing import TaskQuery
from todo_core.syncing import TOMBSTONES_PER_OWNER
from todo_core.tasks import NewTask, TaskChanges
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
        dialect = connection.dialect.name
        opts = {"compare_type": True, "include_object": partial(_created_on, dialect)}
        context = MigrationContext.configure(connection, opts=opts)
        assert compare_metadata(context, SQLModel.metadata) == []
    engine.dispose()


def _created_on(dialect: str, item: object, *_: object) -> bool:
    """Whether the model creates `item` on `dialect`: an index it makes on one database only
    (`Index.ddl_if`, PostgreSQL's GIN index of tags) is not expected on the other."""
    only_on = getattr(getattr(item, "_ddl_if", None), "dialect", None)
    return only_on is None or only_on == dialect


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
        with engine.begin() as connection:  # as the code of 0004 wrote them
            for owner, keys in (("alice", 2), ("carol", 1)):
                for n in range(keys):
                    _keep_key(connection, owner, f"k{n}", _insert_task(connection, owner))
            for owner in ("alice", "bob"):
                gone = _insert_task(connection, owner)
                connection.execute(text("DELETE FROM tasks WHERE id = :id"), {"id": gone})
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


def _insert_task(connection: Connection, owner: str, title: str = "t") -> int:
    """A task as a revision before 0006 stored one (its triggers count it)."""
    inserted = connection.execute(
        text(
            "INSERT INTO tasks (user_id, title, completed, created_at, updated_at, version)"
            " VALUES (:owner, :title, false, :at, :at, 1) RETURNING id"
        ),
        {"owner": owner, "title": title, "at": T0},
    )
    task_id: int = inserted.scalar_one()
    return task_id


def _keep_key(connection: Connection, owner: str, key: str, task_id: int) -> None:
    """An idempotency key as a revision before 0006 kept one."""
    connection.execute(
        text(
            "INSERT INTO idempotency_keys (user_id, key, fingerprint, created_at, removed,"
            " task_id, title, completed, task_created_at, task_updated_at, version)"
            " VALUES (:owner, :key, 'f', :at, false, :task_id, 't', false, :at, :at, 1)"
        ),
        {"owner": owner, "key": key, "at": T0, "task_id": task_id},
    )


def test_planning_gives_the_tasks_already_there_the_defaults(empty_database: str) -> None:
    """0006 adds the planning fields: a task stored before reads back with priority medium,
    no tags and no due, and is listed, filtered and changed like any other."""
    engine = migration_engine(empty_database)
    try:
        upgrade(engine, "0005")
        with engine.begin() as connection:
            old = _insert_task(connection, "alice", "from before")
            _keep_key(connection, "alice", "k", old)
        upgrade(engine)
        tasks = make_engine(empty_database)
        repository = SqlTaskRepository(tasks)
        task = repository.get("alice", old)
        assert task is not None
        assert (task.priority, task.tags, task.due_date, task.due_at) == ("medium", (), None, None)
        assert (task.time_zone, task.recurrence, task.remind_at) == (None, None, None)
        undue = TaskQuery.of(has_due=False, tags=None)
        assert [t.id for t in repository.list("alice", undue)] == [old]
        assert repository.list("alice", TaskQuery.of(tags=["work"])) == []
        changed = repository.change("alice", old, TaskChanges.of(tags=["Work"]), T0)
        assert changed is not None
        assert changed.tags == ("Work",)
        assert [t.id for t in repository.list("alice", TaskQuery.of(tags=["WORK"]))] == [old]
        write = Add(NewTask("k"), T0)
        kept = repository.write_once("alice", IdempotencyKey.of("k", write, T0), write)
        assert kept.task is not None
        assert (kept.task.id, kept.task.tags, kept.replayed_for) == (old, (), "f")
        tasks.dispose()
        downgrade(engine, "0005")  # with rows there, and up again
        upgrade(engine)
    finally:
        engine.dispose()
