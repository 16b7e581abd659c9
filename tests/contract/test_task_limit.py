"""The task limit (MAX_TASKS_PER_USER) on every adapter in both flavours: a create past it
stores nothing, plain or keyed; it counts per owner; a deletion makes room; and it is exact
under concurrency (of many creates racing one task short of the limit, exactly one is
stored). On SQL stores the count is kept by triggers, so it also counts what was written
before the count existed (the migration) or by anything else."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from tests.support.repositories import SqlStore
from todo_core.errors import IdempotencyKeyInUse, TaskLimitReached
from todo_core.idempotency import IdempotencyKey, Outcome
from todo_core.ports import TaskRepository
from todo_core.service import TaskService
from todo_core.tasks import NewTask, Task
from todo_core.writes import Add

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LIMIT = 5
RACERS = 100


def filled(repository: TaskRepository, owner: str, count: int) -> list[Task]:
    tasks = [repository.add(owner, NewTask(f"task {n}"), T0, LIMIT) for n in range(count)]
    assert all(task is not None for task in tasks)
    return [task for task in tasks if task is not None]


def test_a_create_past_the_limit_stores_nothing(repository: TaskRepository) -> None:
    filled(repository, "alice", LIMIT)
    assert repository.add("alice", NewTask("one too many"), T0, LIMIT) is None
    assert len(repository.list("alice")) == LIMIT


def test_the_limit_is_per_owner_and_a_deletion_makes_room(repository: TaskRepository) -> None:
    tasks = filled(repository, "alice", LIMIT)
    assert repository.add("bob", NewTask("bob's first"), T0, LIMIT) is not None
    assert repository.remove("alice", tasks[0].id)
    assert repository.add("alice", NewTask("in its place"), T0, LIMIT) is not None
    assert repository.add("alice", NewTask("but no more"), T0, LIMIT) is None


def test_an_add_without_a_limit_is_not_limited(repository: TaskRepository) -> None:
    filled(repository, "alice", LIMIT)
    assert repository.add("alice", NewTask("unlimited"), T0) is not None


def test_a_keyed_create_past_the_limit_is_not_done_and_keeps_no_key(
    repository: TaskRepository,
) -> None:
    tasks = filled(repository, "alice", LIMIT)
    write = Add(NewTask("keyed"), T0, LIMIT)
    key = IdempotencyKey.of("k", write, T0, timedelta(hours=1))
    assert repository.write_once("alice", key, write) == Outcome(False)
    repository.remove("alice", tasks[0].id)
    outcome = repository.write_once("alice", key, write)  # tried afresh, not replayed
    assert outcome.done
    assert outcome.replayed_for is None
    assert outcome.task is not None
    assert outcome.task.title == "keyed"


def test_the_service_says_the_limit_was_reached(repository: TaskRepository) -> None:
    service = TaskService(repository, task_limit=2)
    service.add("alice", "one")
    service.add_once("alice", "k2", "two")
    with pytest.raises(TaskLimitReached) as raised:
        service.add("alice", "three")
    assert raised.value.limit == 2
    with pytest.raises(TaskLimitReached):
        service.add_once("alice", "k3", "three")
    assert [task.title for task in service.list("alice")] == ["one", "two"]


@pytest.mark.parametrize("keyed", [False, True], ids=["plain", "keyed"])
@pytest.mark.parametrize("limit", [LIMIT, 1], ids=["some-tasks", "first-task"])
def test_of_many_creates_one_short_of_the_limit_exactly_one_is_stored(
    repository: TaskRepository, keyed: bool, limit: int
) -> None:
    """`first-task`: no count exists yet for the owner (PostgreSQL: the racers insert it)."""
    filled(repository, "alice", limit - 1)

    def create(n: int) -> Task | str | None:
        new = NewTask(f"racer {n}")
        if not keyed:
            return repository.add("alice", new, T0, limit)
        write = Add(new, T0, limit)
        try:
            key = IdempotencyKey.of(f"racer-{n}", write, T0, timedelta(hours=1))
            return repository.write_once("alice", key, write).task
        except IdempotencyKeyInUse:  # not expected: every racer has a key of its own
            return "in use"

    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(create, range(RACERS)))
    stored = [answer for answer in answers if isinstance(answer, Task)]
    assert len(stored) == 1
    assert answers.count(None) == RACERS - 1
    assert len(repository.list("alice")) == limit


def test_the_count_follows_every_write_to_the_table(sql_store: SqlStore) -> None:
    """Rows inserted and deleted by plain SQL (an import, a manual fix) are counted too."""
    repository, engine = sql_store.repository, sql_store.engine
    with engine.begin() as connection:
        for n in range(LIMIT):
            connection.execute(
                text(
                    "INSERT INTO tasks (user_id, title, completed, created_at, updated_at,"
                    " version) VALUES ('carol', :title, false, :at, :at, 1)"
                ),
                {"title": f"imported {n}", "at": T0},
            )
    assert repository.add("carol", NewTask("past the limit"), T0, LIMIT) is None
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM tasks WHERE title = 'imported 0'"))
    assert repository.add("carol", NewTask("room again"), T0, LIMIT) is not None
