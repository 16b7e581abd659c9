"""The TaskRepository contract for writes under an idempotency key and for incremental sync,
on every adapter in both flavours; the rules around them (fingerprints, cursors) are the
domain's, driven here over each store through the service."""

from __future__ import annotations

import random
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from tests.support.repositories import SqlStore
from todo_adapters.sql import writes as sql_writes
from todo_adapters.sql.core import tasks as core_tasks
from todo_adapters.sql.idempotency import lock_id
from todo_core.errors import (
    IdempotencyKeyInUse,
    IdempotencyKeyReused,
    InvalidSyncCursor,
    StaleTask,
    SyncExpired,
    TaskNotFound,
)
from todo_core.idempotency import IdempotencyKey, Outcome
from todo_core.ports import TaskRepository
from todo_core.service import TaskService
from todo_core.syncing import cursor_of
from todo_core.tasks import NewTask, Task, TaskChanges
from todo_core.writes import Add, Change, Remove, Toggle, Write

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LONG_AGO = T0 - timedelta(days=1)


def keyed(
    key: str, write: Write, at: datetime = T0, fresh_after: datetime = LONG_AGO
) -> IdempotencyKey:
    return IdempotencyKey.of(key, write, at, at - fresh_after)


# --- idempotency keys ---------------------------------------------------------------------


def test_a_repeated_keyed_create_replays_the_first_and_stores_one_task(
    repository: TaskRepository,
) -> None:
    write = Add(NewTask("pay rent"), T0)
    first = repository.write_once("alice", keyed("k1", write), write)
    again = repository.write_once("alice", keyed("k1", write, T0 + timedelta(hours=1)), write)
    assert first.done
    assert first.replayed_for is None
    assert first.task is not None
    assert again == Outcome(True, first.task, keyed("k1", write).fingerprint)
    assert [t.id for t in repository.list("alice")] == [first.task.id]


def test_a_key_is_kept_per_owner(repository: TaskRepository) -> None:
    write = Add(NewTask("same key"), T0)
    alices = repository.write_once("alice", keyed("shared", write), write)
    bobs = repository.write_once("bob", keyed("shared", write), write)
    assert bobs.replayed_for is None
    assert bobs.task is not None
    assert alices.task is not None
    assert bobs.task.user_id == "bob"
    assert bobs.task.id != alices.task.id
    assert len(repository.list("alice")) == len(repository.list("bob")) == 1


def test_a_replay_is_the_outcome_as_first_written_not_the_task_now(
    repository: TaskRepository,
) -> None:
    task = repository.add("alice", NewTask("draft"), T0)
    rename = Change(task.id, TaskChanges.of(title="final"), T0)
    first = repository.write_once("alice", keyed("rename", rename), rename)
    repository.toggle("alice", task.id, T0 + timedelta(seconds=1))
    again = repository.write_once("alice", keyed("rename", rename), rename)
    assert first.task is not None
    assert first.task.version == 2
    assert again.task == first.task
    assert again.replayed_for is not None
    current = repository.get("alice", task.id)
    assert current is not None
    assert current.version == 3
    assert current.completed


def test_a_write_that_did_not_happen_keeps_nothing(repository: TaskRepository) -> None:
    task = repository.add("alice", NewTask("t"), T0)
    stale = Toggle(task.id, T0, expected=7)
    assert repository.write_once("alice", keyed("k", stale), stale) == Outcome(False)
    missing = Remove(task.id + 1000)
    assert repository.write_once("alice", keyed("k2", missing), missing) == Outcome(False)
    # the key is free: the same key now does what it is asked
    fresh = Toggle(task.id, T0, expected=1)
    outcome = repository.write_once("alice", keyed("k", fresh), fresh)
    assert outcome.done
    assert outcome.replayed_for is None
    assert outcome.task is not None
    assert outcome.task.completed


def test_a_keyed_removal_replays_as_done_once_the_task_is_gone(
    repository: TaskRepository,
) -> None:
    task = repository.add("alice", NewTask("bin"), T0)
    remove = Remove(task.id, expected=1)
    first = repository.write_once("alice", keyed("rm", remove), remove)
    again = repository.write_once("alice", keyed("rm", remove), remove)
    assert first == Outcome(True, None)
    assert again == Outcome(True, None, keyed("rm", remove).fingerprint)
    assert repository.get("alice", task.id) is None


def test_every_keyed_write_writes_what_the_plain_one_does(repository: TaskRepository) -> None:
    write: Write = Add(NewTask(" title ".strip(), "note", completed=True), T0)
    added = repository.write_once("alice", keyed("a", write), write).task
    assert added is not None
    assert (added.title, added.description, added.completed) == (
        "title",
        "note",
        True,
    )
    assert added.version == 1
    assert added.created_at == added.updated_at == T0
    later = T0 + timedelta(minutes=1)
    write = Change(added.id, TaskChanges.of(description=None), later, expected=1)
    changed = repository.write_once("alice", keyed("c", write), write).task
    assert changed is not None
    assert changed.description is None
    assert changed.version == 2
    assert changed.updated_at == later
    write = Toggle(added.id, later, expected=2)
    toggled = repository.write_once("alice", keyed("t", write), write).task
    assert toggled is not None
    assert not toggled.completed
    assert toggled.version == 3
    assert repository.get("alice", added.id) == toggled


def test_an_expired_key_is_forgotten_and_used_afresh(repository: TaskRepository) -> None:
    write = Add(NewTask("daily"), T0)
    first = repository.write_once("alice", keyed("day", write), write).task
    tomorrow = T0 + timedelta(days=2)
    later = keyed("day", write, at=tomorrow, fresh_after=tomorrow - timedelta(days=1))
    second = repository.write_once("alice", later, write)
    assert second.replayed_for is None
    assert second.task is not None
    assert first is not None
    assert second.task.id != first.id
    third = repository.write_once("alice", later, write)
    assert third.replayed_for is not None
    assert third.task == second.task


def test_purge_forgets_old_keys(repository: TaskRepository) -> None:
    write = Add(NewTask("once"), T0)
    repository.write_once("alice", keyed("old", write), write)
    repository.purge(keys_before=T0 + timedelta(seconds=1), tombstones_before=LONG_AGO)
    again = repository.write_once("alice", keyed("old", write), write)
    assert again.replayed_for is None
    assert len(repository.list("alice")) == 2


def test_one_key_sent_by_many_at_once_writes_one_task(repository: TaskRepository) -> None:
    write = Add(NewTask("double-click"), T0)

    def send(_: int) -> Outcome | str:
        try:
            return repository.write_once("alice", keyed("click", write), write)
        except IdempotencyKeyInUse:
            return "in use"

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(send, range(24)))
    tasks = repository.list("alice")
    assert len(tasks) == 1
    outcomes = [a for a in answers if isinstance(a, Outcome)]
    assert [o.task for o in outcomes] == [tasks[0]] * len(outcomes)
    assert sum(o.replayed_for is None for o in outcomes) == 1


def test_the_service_refuses_a_key_reused_for_another_request(repository: TaskRepository) -> None:
    service = TaskService(repository)
    done = service.add_once("alice", "k", "first")
    assert not done.replayed
    assert service.add_once("alice", "k", "first") == type(done)(done.task, replayed=True)
    with pytest.raises(IdempotencyKeyReused):
        service.add_once("alice", "k", "second")
    assert done.task is not None
    with pytest.raises(IdempotencyKeyReused):
        service.remove_once("alice", "k", done.task.id)
    assert [t.title for t in repository.list("alice")] == ["first"]


def test_the_service_reports_why_a_keyed_write_did_not_happen(repository: TaskRepository) -> None:
    service = TaskService(repository)
    task = service.add("alice", "t")
    with pytest.raises(StaleTask):
        service.toggle_once("alice", "k", task.id, expected=5)
    with pytest.raises(TaskNotFound):
        service.change_once("alice", "k", task.id + 99, title="x")
    assert service.change_once("alice", "k", task.id, title="x").task is not None


# --- incremental sync ---------------------------------------------------------------------


def test_a_first_sync_has_every_task_and_no_tombstones(repository: TaskRepository) -> None:
    kept = repository.add("alice", NewTask("kept"), T0)
    gone = repository.add("alice", NewTask("gone"), T0)
    repository.remove("alice", gone.id)
    repository.add("bob", NewTask("not alice's"), T0)
    delta = repository.changed_since("alice", 0)
    assert delta.tasks == [kept]
    assert delta.deleted == []
    assert delta.stamp > 0


def test_a_sync_has_what_changed_since_the_last_and_nothing_else(
    repository: TaskRepository,
) -> None:
    same, changed, deleted = (repository.add("alice", NewTask(t), T0) for t in "abc")
    stamp = repository.changed_since("alice", 0).stamp
    created = repository.add("alice", NewTask("d"), T0)
    repository.toggle("alice", changed.id, T0)
    repository.remove("alice", deleted.id)
    repository.remove("bob", same.id)  # not bob's: nothing happens
    repository.add("bob", NewTask("bob's"), T0)
    delta = repository.changed_since("alice", stamp)
    assert [t.id for t in delta.tasks] == [changed.id, created.id]
    assert delta.tasks[0] == repository.get("alice", changed.id)
    assert delta.deleted == [deleted.id]
    quiet = repository.changed_since("alice", delta.stamp)
    assert quiet.tasks == []
    assert quiet.deleted == []
    assert quiet.stamp >= delta.stamp


def test_a_tombstone_is_seen_by_sync_and_by_nothing_else(repository: TaskRepository) -> None:
    task = repository.add("alice", NewTask("t"), T0)
    stamp = repository.changed_since("alice", 0).stamp
    repository.remove("alice", task.id)
    assert repository.get("alice", task.id) is None
    assert repository.list("alice") == []
    assert repository.toggle("alice", task.id, T0) is None
    assert repository.changed_since("alice", stamp).deleted == [task.id]


def test_a_cursor_from_before_purged_tombstones_has_expired(repository: TaskRepository) -> None:
    task = repository.add("alice", NewTask("t"), T0)
    old = repository.changed_since("alice", 0).stamp
    repository.remove("alice", task.id)
    recent = repository.changed_since("alice", old).stamp
    repository.purge(keys_before=LONG_AGO, tombstones_before=datetime.now(UTC) + timedelta(days=1))
    with pytest.raises(SyncExpired):
        repository.changed_since("alice", old)
    assert repository.changed_since("alice", recent).deleted == []
    assert repository.changed_since("alice", 0).tasks == []


def test_purge_keeps_tombstones_younger_than_the_retention(repository: TaskRepository) -> None:
    task = repository.add("alice", NewTask("t"), T0)
    stamp = repository.changed_since("alice", 0).stamp
    repository.remove("alice", task.id)
    repository.purge(keys_before=LONG_AGO, tombstones_before=datetime.now(UTC) - timedelta(days=1))
    assert repository.changed_since("alice", stamp).deleted == [task.id]


def test_the_service_hands_out_cursors_only_their_owner_can_use(repository: TaskRepository) -> None:
    service = TaskService(repository)
    service.add("alice", "t")
    first = service.changes("alice", "0")
    assert [t.title for t in first.tasks] == ["t"]
    assert service.changes("alice", first.cursor).tasks == []
    with pytest.raises(InvalidSyncCursor):
        service.changes("bob", first.cursor)
    with pytest.raises(InvalidSyncCursor):
        service.changes("alice", cursor_of(0, "alice"))


def test_a_reader_syncing_while_writers_write_ends_with_the_table(
    repository: TaskRepository,
) -> None:
    """Writers create, change and delete at once while a reader syncs in a loop; the state the
    reader builds from its syncs alone equals the store at the end."""
    stop = threading.Event()

    def writer(seed: int) -> None:
        rng = random.Random(seed)
        mine: list[int] = []
        for n in range(60):
            roll = rng.random()
            if roll < 0.45 or not mine:
                mine.append(repository.add("alice", NewTask(f"w{seed}-{n}"), T0).id)
            elif roll < 0.8:
                repository.toggle("alice", rng.choice(mine), T0)
            else:
                repository.remove("alice", mine.pop(rng.randrange(len(mine))))

    seen: dict[int, Task] = {}
    stamp = 0

    def sync() -> None:
        nonlocal stamp
        delta = repository.changed_since("alice", stamp)
        for task in delta.tasks:
            seen[task.id] = task
        for task_id in delta.deleted:
            seen.pop(task_id, None)
        stamp = delta.stamp

    def reader() -> None:
        while not stop.is_set():
            sync()

    with ThreadPoolExecutor(5) as pool:
        reading = pool.submit(reader)
        writing = [pool.submit(writer, seed) for seed in range(4)]
        for done in writing:
            done.result()
        stop.set()
        reading.result()
    sync()
    assert seen == {task.id: task for task in repository.list("alice")}


def test_a_write_committing_after_a_sync_is_in_the_next_one_though_it_began_first(
    postgres_store: SqlStore,
) -> None:
    """The race a sync cursor must survive: a transaction that began (and took its stamp)
    before another write, but commits after a sync read that other write. A cursor past the
    committed write's stamp would skip the late one for ever."""
    repository, engine = postgres_store.repository, postgres_store.engine
    start = repository.changed_since("alice", 0).stamp
    with engine.connect() as slow:
        slow.exec_driver_sql("BEGIN")
        slow.execute(text("SELECT pg_current_xact_id()"))  # its stamp is taken now
        quick = repository.add("alice", NewTask("quick"), T0)  # a later stamp, committed first
        seen = repository.changed_since("alice", start)
        assert [t.id for t in seen.tasks] == [quick.id]
        late = slow.execute(core_tasks.ADD, _new_row("late")).one()
        slow.exec_driver_sql("COMMIT")
    # The next sync has the late task; it may repeat the quick one too (a sync may hand out a
    # task again, never miss one: clients apply tasks by id).
    assert late.id in [t.id for t in repository.changed_since("alice", seen.stamp).tasks]


def test_a_keyed_write_while_its_first_is_running_is_refused_at_once(
    postgres_store: SqlStore,
) -> None:
    repository, engine = postgres_store.repository, postgres_store.engine
    write = Add(NewTask("slow"), T0)
    key = keyed("busy", write)
    with engine.connect() as first:
        first.exec_driver_sql("BEGIN")
        first.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": lock_id("alice", "busy")})
        with pytest.raises(IdempotencyKeyInUse):
            repository.write_once("alice", key, write)
        first.exec_driver_sql("ROLLBACK")
    assert repository.write_once("alice", key, write).replayed_for is None
    assert len(repository.list("alice")) == 1


def _new_row(title: str) -> dict[str, object]:
    """What the repository binds for alice's new task (`writes.statement_of`)."""
    _, values = sql_writes.statement_of("alice", Add(NewTask(title), T0, 10))
    return values
