"""The TaskRepository contract: one suite, every adapter (memory, SQLite, PostgreSQL), each in
both flavours (sync, and async driven through `Awaited`)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from tests.support.repositories import SqlStore
from todo_core.ports import TaskRepository
from todo_core.tasks import TASK_ID_MAX, NewTask, TaskChanges

T0 = datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)
T1 = T0 + timedelta(seconds=1, microseconds=1)


def test_add_then_get_returns_the_same_task(repository: TaskRepository) -> None:
    task = repository.add("alice", NewTask("Title", "Desc"), T0)
    assert task.id > 0
    assert (task.user_id, task.title, task.description, task.completed) == (
        "alice",
        "Title",
        "Desc",
        False,
    )
    assert task.created_at == task.updated_at == T0
    assert task.created_at.tzinfo is not None
    assert task.created_at.utcoffset() == timedelta(0)
    assert repository.get("alice", task.id) == task


def test_timestamps_come_back_in_utc_whatever_zone_they_were_given_in(
    repository: TaskRepository,
) -> None:
    plus_five = T0.astimezone(timezone(timedelta(hours=5)))
    task = repository.add("alice", NewTask("zoned"), plus_five)
    stored = repository.get("alice", task.id)
    assert stored is not None
    assert stored.created_at == T0
    assert stored.created_at.utcoffset() == timedelta(0)


def test_list_is_scoped_to_the_owner_and_ordered_by_id(repository: TaskRepository) -> None:
    mine = [repository.add("alice", NewTask(f"t{n}"), T0) for n in range(5)]
    repository.add("bob", NewTask("theirs"), T0)
    assert repository.list("alice") == mine
    assert repository.list("nobody") == []


def test_ids_are_unique_and_never_reused(repository: TaskRepository) -> None:
    first = repository.add("alice", NewTask("a"), T0)
    second = repository.add("alice", NewTask("b"), T0)
    assert repository.remove("alice", second.id)
    third = repository.add("alice", NewTask("c"), T0)
    assert len({first.id, second.id, third.id}) == 3
    assert third.id > second.id


def test_change_sets_only_given_fields(repository: TaskRepository) -> None:
    task = repository.add("alice", NewTask("Title", "Desc"), T0)
    changed = repository.change("alice", task.id, TaskChanges(completed=True), T1)
    assert changed is not None
    assert (changed.title, changed.description, changed.completed) == ("Title", "Desc", True)
    assert (changed.created_at, changed.updated_at) == (T0, T1)
    cleared = repository.change("alice", task.id, TaskChanges(description=None, title="New"), T1)
    assert cleared is not None
    assert (cleared.title, cleared.description, cleared.completed) == ("New", None, True)
    assert repository.get("alice", task.id) == cleared


def test_toggle_flips_completed(repository: TaskRepository) -> None:
    task = repository.add("alice", NewTask("Title"), T0)
    once = repository.toggle("alice", task.id, T1)
    assert once is not None
    assert once.completed
    assert once.updated_at == T1
    twice = repository.toggle("alice", task.id, T1 + timedelta(seconds=1))
    assert twice is not None
    assert not twice.completed


def test_another_owners_task_is_invisible_and_untouched(repository: TaskRepository) -> None:
    task = repository.add("alice", NewTask("private", "secret"), T0)
    assert repository.get("bob", task.id) is None
    assert repository.change("bob", task.id, TaskChanges(title="mine"), T1) is None
    assert repository.toggle("bob", task.id, T1) is None
    assert repository.remove("bob", task.id) is False
    assert repository.get("alice", task.id) == task


@pytest.mark.parametrize("task_id", [0, -1, 424242, TASK_ID_MAX, TASK_ID_MAX + 1, 10**30])
def test_unknown_and_out_of_range_ids_are_simply_not_found(
    repository: TaskRepository, task_id: int
) -> None:
    repository.add("alice", NewTask("x"), T0)
    assert repository.get("alice", task_id) is None
    assert repository.change("alice", task_id, TaskChanges(title="y"), T1) is None
    assert repository.toggle("alice", task_id, T1) is None
    assert repository.remove("alice", task_id) is False


def test_remove_deletes_exactly_one_task(repository: TaskRepository) -> None:
    keep = repository.add("alice", NewTask("keep"), T0)
    drop = repository.add("alice", NewTask("drop"), T0)
    assert repository.remove("alice", drop.id) is True
    assert repository.get("alice", drop.id) is None
    assert repository.list("alice") == [keep]


@pytest.mark.parametrize(
    "text",
    [
        "🎉 emoji 👩‍👩‍👧 family",
        "'; DROP TABLE tasks; --",
        "Robert'); DELETE FROM tasks WHERE ('1'='1",
        "%s %(x)s {0} \\x00 $1 ? :name",
        "日本語のタスク",
        "e\u0301 combining, \u200b zero width, \ufeff BOM",
    ],
)
def test_text_round_trips_byte_for_byte(repository: TaskRepository, text: str) -> None:
    task = repository.add("alice", NewTask(text, text + "\n\ttab"), T0)
    stored = repository.get("alice", task.id)
    assert stored is not None
    assert stored.title.encode() == text.encode()
    assert stored.description == text + "\n\ttab"


def test_longest_allowed_values_fit(repository: TaskRepository) -> None:
    task = repository.add("a" * 255, NewTask("🎉" * 200, "🎉" * 1000), T0)
    assert repository.get("a" * 255, task.id) == task


def test_concurrent_toggles_lose_no_flip(repository: TaskRepository) -> None:
    task = repository.add("alice", NewTask("flip"), T0)
    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(lambda _: repository.toggle("alice", task.id, T1), range(51)))
    assert all(result is not None for result in results)
    final = repository.get("alice", task.id)
    assert final is not None
    assert final.completed is True  # 51 flips from False


def test_concurrent_adds_all_land_with_distinct_ids(repository: TaskRepository) -> None:
    with ThreadPoolExecutor(max_workers=16) as pool:
        added = list(pool.map(lambda n: repository.add("alice", NewTask(f"t{n}"), T0), range(100)))
    assert len({task.id for task in added}) == 100
    assert len(repository.list("alice")) == 100


def test_concurrent_changes_to_different_fields_both_land(repository: TaskRepository) -> None:
    task = repository.add("alice", NewTask("old", "old"), T0)
    for round_ in range(20):
        title, description = f"title {round_}", f"description {round_}"
        with ThreadPoolExecutor(max_workers=2) as pool:
            pool.submit(repository.change, "alice", task.id, TaskChanges(title=title), T1)
            pool.submit(
                repository.change, "alice", task.id, TaskChanges(description=description), T1
            )
        stored = repository.get("alice", task.id)
        assert stored is not None
        assert (stored.title, stored.description) == (title, description)


def test_sql_ids_are_64_bit(sql_store: SqlStore) -> None:
    repository, engine = sql_store.repository, sql_store.engine
    beyond_int32 = 2**40
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(
                text(f"ALTER TABLE tasks ALTER COLUMN id RESTART WITH {beyond_int32}")
            )
        else:
            connection.execute(
                text("INSERT OR IGNORE INTO sqlite_sequence (name, seq) VALUES ('tasks', 0)")
            )
            connection.execute(
                text("UPDATE sqlite_sequence SET seq = :seq WHERE name = 'tasks'"),
                {"seq": beyond_int32 - 1},
            )
    task = repository.add("alice", NewTask("big id"), T0)
    assert task.id >= beyond_int32
    assert repository.get("alice", task.id) == task
    assert repository.toggle("alice", task.id, T1) is not None


def test_a_task_handed_out_is_the_callers_own(repository: TaskRepository) -> None:
    """Changing a task a repository returned changes nothing stored, as with a database."""
    task = repository.add("alice", NewTask("stored"), T0)
    for handed_out in (task, repository.get("alice", task.id), repository.list("alice")[0]):
        assert handed_out is not None
        handed_out.title = "changed by the caller"
    stored = repository.get("alice", task.id)
    assert stored is not None
    assert stored.title == "stored"
