"""The TaskRepository contract for filtered, ordered, paged lists and for versioned
(conditional) writes, on every adapter in both flavours; the paging rule itself is the
domain's (TaskQuery, TaskService.page), driven here over each store."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from todo_core.errors import InvalidCursor, StaleTask
from todo_core.listing import SORTS, TaskQuery
from todo_core.ports import TaskRepository
from todo_core.service import TaskService
from todo_core.tasks import NewTask, Task, TaskChanges

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
TITLES = ["banana", "Apple", "cherry 50%", "apple_pie", "Élan", "date", "apple", "zebra"]


def seeded(repository: TaskRepository, owner: str = "alice") -> list[Task]:
    tasks = []
    for n, title in enumerate(TITLES):
        # created in one order, updated in another, some done
        task = repository.add(
            owner, NewTask(title, "note" if n % 3 else None), T0 + timedelta(seconds=n)
        )
        if n % 2:
            task = repository.toggle(owner, task.id, T0 + timedelta(minutes=10 - n)) or task
        tasks.append(task)
    repository.add("bob", NewTask("apple of bob"), T0)
    return tasks


def expected_order(tasks: list[Task], query: TaskQuery) -> list[int]:
    kept = [t for t in tasks if query.matches(t)]
    return [t.id for t in sorted(kept, key=query.key_of, reverse=query.descending)]


@pytest.mark.parametrize("sort", SORTS)
def test_every_order_is_the_fields_then_the_id(repository: TaskRepository, sort: str) -> None:
    tasks = seeded(repository)
    query = TaskQuery.of(sort=sort)
    assert [t.id for t in repository.list("alice", query)] == expected_order(tasks, query)


@pytest.mark.parametrize(
    ("completed", "text", "titles"),
    [
        (True, None, {"Apple", "apple_pie", "date", "zebra"}),
        (False, None, {"banana", "cherry 50%", "Élan", "apple"}),
        (None, "APPLE", {"Apple", "apple_pie", "apple"}),
        (None, "_", {"apple_pie"}),  # `_` is literal, not "any character"
        (None, "%", {"cherry 50%"}),  # so is `%`
        (None, "élan", {"Élan"}),  # case folds beyond ASCII
        (None, "NOTE", {"Apple", "cherry 50%", "Élan", "date", "zebra"}),  # descriptions too
        (True, "apple", {"Apple", "apple_pie"}),
    ],
)
def test_filters_keep_what_they_say(
    repository: TaskRepository, completed: bool | None, text: str | None, titles: set[str]
) -> None:
    seeded(repository)
    query = TaskQuery.of(completed=completed, text=text)
    assert {t.title for t in repository.list("alice", query)} == titles


@pytest.mark.parametrize("sort", ["id", "-id", "title", "-updated_at", "created_at"])
@pytest.mark.parametrize("limit", [1, 3, 8, 50])
def test_pages_walk_the_list_once_in_order(
    repository: TaskRepository, sort: str, limit: int
) -> None:
    tasks = seeded(repository)
    service = TaskService(repository)
    seen: list[int] = []
    query = TaskQuery.of(sort=sort, limit=limit)
    for _ in range(100):  # a cursor that does not advance must fail, not hang
        page = service.page("alice", query)
        assert len(page.tasks) <= limit
        seen += [t.id for t in page.tasks]
        if page.next_cursor is None:
            break
        query = TaskQuery.of(sort=sort, limit=limit, cursor=page.next_cursor, owner="alice")
    assert seen == expected_order(tasks, TaskQuery.of(sort=sort))


def test_pages_miss_nothing_that_stayed_and_repeat_nothing_while_tasks_come_and_go(
    repository: TaskRepository,
) -> None:
    service = TaskService(repository)
    stayed = [repository.add("alice", NewTask(f"stays {n}"), T0).id for n in range(12)]
    doomed = [repository.add("alice", NewTask(f"goes {n}"), T0).id for n in range(6)]
    seen: list[int] = []
    query = TaskQuery.of(limit=4)
    for _ in range(100):  # a cursor that does not advance must fail, not hang
        page = service.page("alice", query)
        seen += [t.id for t in page.tasks]
        if doomed:  # between pages: one task deleted, one added
            repository.remove("alice", doomed.pop())
            repository.add("alice", NewTask("newcomer"), T0)
        if page.next_cursor is None:
            break
        query = TaskQuery.of(limit=4, cursor=page.next_cursor, owner="alice")
    assert len(seen) == len(set(seen))
    assert set(stayed) <= set(seen)


def test_a_cursor_works_only_for_its_owner_and_its_query(repository: TaskRepository) -> None:
    seeded(repository)
    page = TaskService(repository).page("alice", TaskQuery.of(limit=2))
    assert page.next_cursor is not None
    for owner, sort in [("bob", "id"), ("alice", "title"), ("alice", "-id")]:
        with pytest.raises(InvalidCursor):
            TaskQuery.of(sort=sort, limit=2, cursor=page.next_cursor, owner=owner)
    for forged in ["x", "e30", page.next_cursor[:-3], "A" * 3000, "%%%", "\x00"]:
        with pytest.raises(InvalidCursor):
            TaskQuery.of(limit=2, cursor=forged, owner="alice")


def forged_cursor(query: TaskQuery, owner: str, value: object) -> str:
    """A cursor built by hand for `query` and `owner`, holding `value` as its sort key."""
    document = {"v": 1, "q": query._fingerprint(owner), "k": [value, 1]}
    raw = json.dumps(document).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@pytest.mark.parametrize(
    ("sort", "value"),
    [
        ("created_at", "0001-01-01T00:00:00+01:00"),  # before the calendar once in UTC
        ("-updated_at", "9999-12-31T23:59:59-05:00"),  # after it
        ("created_at", "2026-03-01T12:00:00"),  # no zone
        ("title", "nul\u0000title"),
        ("title", "\ud800"),
        ("title", "t" * 201),
        ("id", 2**64),
        ("id", "1"),
    ],
)
def test_a_well_formed_cursor_with_a_key_no_task_can_have_is_invalid(
    repository: TaskRepository, sort: str, value: object
) -> None:
    """Cursors are not signed: one built by hand must be refused, not reach the store."""
    seeded(repository)
    query = TaskQuery.of(sort=sort, limit=2)
    with pytest.raises(InvalidCursor):
        TaskQuery.of(sort=sort, limit=2, cursor=forged_cursor(query, "alice", value), owner="alice")


def test_every_write_advances_the_version(repository: TaskRepository) -> None:
    task = repository.add("alice", NewTask("v"), T0)
    assert task.version == 1
    changed = repository.change("alice", task.id, TaskChanges.of(title="w"), T0)
    assert changed is not None
    assert changed.version == 2
    toggled = repository.toggle("alice", task.id, T0)
    assert toggled is not None
    assert toggled.version == 3
    assert repository.get("alice", task.id) == toggled


def test_a_stale_version_writes_nothing(repository: TaskRepository) -> None:
    task = repository.add("alice", NewTask("v"), T0)
    assert repository.change("alice", task.id, TaskChanges.of(title="x"), T0, expected=2) is None
    assert repository.toggle("alice", task.id, T0, expected=7) is None
    assert repository.remove("alice", task.id, expected=0) is False
    assert repository.get("alice", task.id) == task
    done = repository.toggle("alice", task.id, T0, expected=1)
    assert done is not None
    assert done.completed
    assert repository.remove("alice", task.id, expected=2) is True


def test_the_service_tells_a_stale_version_from_a_missing_task(repository: TaskRepository) -> None:
    service = TaskService(repository)
    task = service.add("alice", "v", completed=True)
    assert task.completed
    with pytest.raises(StaleTask):
        service.change("alice", task.id, title="x", expected=5)
    with pytest.raises(StaleTask):
        service.change("alice", task.id, expected=5)  # nothing to change, still checked
    with pytest.raises(StaleTask):
        service.remove("alice", task.id, expected=5)
    assert service.toggle("alice", task.id, expected=1).version == 2


def test_of_concurrent_writes_with_one_version_exactly_one_lands(
    repository: TaskRepository,
) -> None:
    task = repository.add("alice", NewTask("race"), T0)

    def write(n: int) -> Task | None:
        return repository.change("alice", task.id, TaskChanges.of(title=f"w{n}"), T0, expected=1)

    with ThreadPoolExecutor(8) as pool:
        landed = [t for t in pool.map(write, range(16)) if t is not None]
    assert len(landed) == 1
    assert repository.get("alice", task.id) == landed[0]


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    titles=st.lists(st.sampled_from(["a", "B", "a_b", "ab%", "Ä", "b"]), max_size=12),
    sort=st.sampled_from(SORTS),
    limit=st.integers(1, 5),
    completed=st.sampled_from([None, True, False]),
    text=st.sampled_from([None, "a", "B", "_", "%", "ä"]),
)
def test_any_query_pages_through_exactly_what_the_whole_query_returns(
    fresh_repository: Callable[[], TaskRepository],
    titles: list[str],
    sort: str,
    limit: int,
    completed: bool | None,
    text: str | None,
) -> None:
    repository = fresh_repository()
    for n, title in enumerate(titles):
        task = repository.add("alice", NewTask(title), T0 + timedelta(seconds=n % 3))
        if n % 2:
            repository.toggle("alice", task.id, T0)
    whole = TaskQuery.of(completed=completed, text=text, sort=sort)
    everything = [t.id for t in repository.list("alice", whole)]
    assert everything == expected_order(repository.list("alice"), whole)
    service = TaskService(repository)
    seen: list[int] = []
    query = TaskQuery.of(completed=completed, text=text, sort=sort, limit=limit)
    for _ in range(100):  # a cursor that does not advance must fail, not hang
        page = service.page("alice", query)
        seen += [t.id for t in page.tasks]
        if page.next_cursor is None:
            break
        query = TaskQuery.of(
            completed=completed,
            text=text,
            sort=sort,
            limit=limit,
            cursor=page.next_cursor,
            owner="alice",
        )
    assert seen == everything


def test_a_change_of_nothing_is_not_a_write(repository: TaskRepository) -> None:
    task = repository.add("alice", NewTask("same"), T0)
    assert repository.change("alice", task.id, TaskChanges(), T0) == task
    assert repository.change("alice", task.id, TaskChanges(), T0, expected=1) == task
    assert repository.change("alice", task.id, TaskChanges(), T0, expected=2) is None
    assert repository.get("alice", task.id) == task
