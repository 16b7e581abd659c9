"""The use cases on the in-memory repository, both twins (TaskService and AsyncTaskService):
owner scoping, not-found, validation first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import cast

import pytest

from tests.support.repositories import Synchronously
from todo_adapters.memory import AsyncInMemoryTaskRepository, InMemoryTaskRepository
from todo_core import AsyncTaskService, InvalidTask, TaskNotFound, TaskService
from todo_core.tasks import TASK_ID_MAX


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(params=["sync", "async"])
def service(request: pytest.FixtureRequest, clock: FakeClock) -> TaskService:
    """TaskService, then AsyncTaskService driven to completion call by call: the same suite
    holds both to the same rules."""
    if request.param == "sync":
        return TaskService(InMemoryTaskRepository(), clock)
    return cast(TaskService, Synchronously(AsyncTaskService(AsyncInMemoryTaskRepository(), clock)))


def test_add_trims_the_title_and_stamps_both_times(service: TaskService, clock: FakeClock) -> None:
    task = service.add("alice", "  Buy milk  ", "2 litres")
    assert (task.title, task.description, task.completed) == ("Buy milk", "2 litres", False)
    assert task.created_at == task.updated_at == clock.now
    assert service.get("alice", task.id) == task


def test_list_is_the_owners_tasks_in_id_order(service: TaskService) -> None:
    ids = [service.add("alice", f"t{n}").id for n in range(5)]
    service.add("bob", "not yours")
    assert [task.id for task in service.list("alice")] == ids
    assert service.list("carol") == []


def test_change_sets_only_what_is_given_and_advances_updated_at(service: TaskService) -> None:
    task = service.add("alice", "title", "desc")
    changed = service.change("alice", task.id, completed=True)
    assert (changed.title, changed.description, changed.completed) == ("title", "desc", True)
    assert changed.updated_at > task.updated_at
    assert changed.created_at == task.created_at
    cleared = service.change("alice", task.id, description=None, title=" new ")
    assert (cleared.title, cleared.description, cleared.completed) == ("new", None, True)


def test_change_with_nothing_returns_the_task_untouched(service: TaskService) -> None:
    task = service.add("alice", "title")
    assert service.change("alice", task.id) == task


def test_toggle_flips_and_advances(service: TaskService) -> None:
    task = service.add("alice", "title")
    once = service.toggle("alice", task.id)
    twice = service.toggle("alice", task.id)
    assert (once.completed, twice.completed) == (True, False)
    assert task.updated_at < once.updated_at < twice.updated_at


def test_another_users_task_is_simply_not_found(service: TaskService) -> None:
    task = service.add("alice", "private")
    for attempt in (
        lambda: service.get("bob", task.id),
        lambda: service.change("bob", task.id, title="mine now"),
        lambda: service.toggle("bob", task.id),
        lambda: service.remove("bob", task.id),
    ):
        with pytest.raises(TaskNotFound):
            attempt()
    assert service.get("alice", task.id) == task


@pytest.mark.parametrize("task_id", [0, -1, TASK_ID_MAX + 1, 10**30])
def test_ids_out_of_range_are_not_found(service: TaskService, task_id: int) -> None:
    for attempt in (
        lambda: service.get("alice", task_id),
        lambda: service.change("alice", task_id, title="x"),
        lambda: service.toggle("alice", task_id),
        lambda: service.remove("alice", task_id),
    ):
        with pytest.raises(TaskNotFound):
            attempt()


def test_remove_deletes_once(service: TaskService) -> None:
    task = service.add("alice", "title")
    service.remove("alice", task.id)
    with pytest.raises(TaskNotFound):
        service.remove("alice", task.id)
    assert service.list("alice") == []


def test_invalid_changes_store_nothing(service: TaskService) -> None:
    task = service.add("alice", "title")
    with pytest.raises(InvalidTask):
        service.change("alice", task.id, title="   ", completed=True)
    assert service.get("alice", task.id) == task


@pytest.mark.parametrize("owner", ["", "a\x00b", "x" * 256])
def test_owner_ids_that_no_token_could_carry_are_refused(service: TaskService, owner: str) -> None:
    with pytest.raises(InvalidTask):
        service.add(owner, "title")


def test_an_id_that_is_no_int_is_a_type_error_not_a_missing_task(service: TaskService) -> None:
    """`get("alice", "1")` of a task 1 that exists must not say "Task 1 not found"."""
    task = service.add("alice", "exists")
    for wrong in (str(task.id), float(task.id), True, None):
        with pytest.raises(TypeError, match="a task id is an int"):
            service.get("alice", wrong)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="a task id is an int"):
            service.toggle("alice", wrong)  # type: ignore[arg-type]
    assert service.get("alice", task.id) == task


def test_fields_of_the_wrong_type_are_invalid_tasks_saying_why(service: TaskService) -> None:
    with pytest.raises(InvalidTask) as refused:
        service.add("alice", 5, completed="yes")  # type: ignore[arg-type]
    assert refused.value.problems == {
        "title": "must be a string",
        "completed": "must be true or false",
    }
