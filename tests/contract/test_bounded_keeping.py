"""What one owner keeps beside their tasks is bounded (issue 17, item 5): past the store's
bound the oldest idempotency keys and tombstones are forgotten at once, and a forgotten
tombstone expires only that owner's older sync cursors. On every adapter, both flavours, with
the bounds lowered (memory: the store's arguments; SQL: `sync_state`, read by the triggers)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from tests.contract.conftest import Fresh
from tests.support.repositories import SqlStore
from todo_core.errors import SyncExpired
from todo_core.idempotency import IdempotencyKey
from todo_core.ports import TaskRepository
from todo_core.tasks import NewTask
from todo_core.writes import Add, Toggle

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
BOUND = 3


def keyed_add(repository: TaskRepository, owner: str, key: str, at: datetime) -> bool:
    """A keyed create; whether it was replayed rather than written."""
    write = Add(NewTask(key), at)
    outcome = repository.write_once(owner, IdempotencyKey.of(key, write, at), write)
    return outcome.replayed_for is not None


def test_past_the_bound_the_oldest_keys_are_forgotten(fresh_repository: Fresh) -> None:
    repository = fresh_repository(keys_per_owner=BOUND)
    minutes = [T0 + timedelta(minutes=n) for n in range(BOUND + 1)]
    for n, at in enumerate(minutes):
        assert not keyed_add(repository, "alice", f"k{n}", at)
    later = T0 + timedelta(hours=1)
    # The newest BOUND keys still replay; the oldest is forgotten, so its retry writes again.
    assert [keyed_add(repository, "alice", f"k{n}", later) for n in (3, 2, 1)] == [True] * 3
    assert not keyed_add(repository, "alice", "k0", later)
    assert len(repository.list("alice")) == BOUND + 2


def test_the_key_bound_is_per_owner(fresh_repository: Fresh) -> None:
    repository = fresh_repository(keys_per_owner=BOUND)
    assert not keyed_add(repository, "bob", "b", T0)
    for n in range(2 * BOUND):
        keyed_add(repository, "alice", f"k{n}", T0 + timedelta(minutes=n))
    assert keyed_add(repository, "bob", "b", T0 + timedelta(hours=1))


def test_purged_keys_free_their_place_under_the_bound(fresh_repository: Fresh) -> None:
    repository = fresh_repository(keys_per_owner=BOUND)
    for n in range(BOUND):
        keyed_add(repository, "alice", f"old{n}", T0)
    day = T0 + timedelta(days=1)
    repository.purge(keys_before=day, tombstones_before=T0)
    # Counted down by the purge: BOUND new keys fit, none of them forgotten.
    for n in range(BOUND):
        assert not keyed_add(repository, "alice", f"new{n}", day + timedelta(minutes=n))
    at = day + timedelta(hours=1)
    assert all(keyed_add(repository, "alice", f"new{n}", at) for n in range(BOUND))


def test_a_key_forgotten_by_the_bound_is_written_afresh_and_what_it_wrote_stays(
    fresh_repository: Fresh,
) -> None:
    repository = fresh_repository(keys_per_owner=1)
    task = repository.add("alice", NewTask("t"), T0)
    assert task is not None
    write = Toggle(task.id, T0)
    first = repository.write_once("alice", IdempotencyKey.of("t1", write, T0), write)
    assert first.task is not None
    assert first.task.completed
    keyed_add(repository, "alice", "other", T0 + timedelta(minutes=1))  # t1 is forgotten
    later = T0 + timedelta(minutes=2)
    retried = repository.write_once("alice", IdempotencyKey.of("t1", write, later), write)
    assert retried.replayed_for is None  # toggled again, not the first answer replayed
    assert retried.task is not None
    assert (retried.task.completed, retried.task.version) == (False, 3)


def test_the_oldest_key_goes_first_whatever_order_keys_arrive_in(
    fresh_repository: Fresh,
) -> None:
    repository = fresh_repository(keys_per_owner=2)
    keyed_add(repository, "alice", "b", T0 + timedelta(minutes=2))
    keyed_add(repository, "alice", "a", T0 + timedelta(minutes=1))  # older: a late retry
    keyed_add(repository, "alice", "c", T0 + timedelta(minutes=3))
    later = T0 + timedelta(hours=1)
    assert keyed_add(repository, "alice", "c", later)
    assert keyed_add(repository, "alice", "b", later)
    assert not keyed_add(repository, "alice", "a", later)


def removed_tasks(repository: TaskRepository, owner: str, count: int) -> None:
    for n in range(count):
        task = repository.add(owner, NewTask(f"t{n}"), T0)
        assert task is not None
        assert repository.remove(owner, task.id)


def test_past_the_bound_the_oldest_tombstones_go_and_older_cursors_expire(
    fresh_repository: Fresh,
) -> None:
    repository = fresh_repository(tombstones_per_owner=BOUND)
    tasks = [repository.add("alice", NewTask(f"t{n}"), T0) for n in range(BOUND + 2)]
    before = repository.changed_since("alice", 0).stamp
    first, second, *rest = [task.id for task in tasks if task is not None]
    assert repository.remove("alice", first)
    after_first = repository.changed_since("alice", before).stamp
    assert repository.remove("alice", second)
    after_second = repository.changed_since("alice", before).stamp
    for task_id in rest:
        assert repository.remove("alice", task_id)
    # BOUND + 2 deletions: the first two tombstones are forgotten, the rest still known.
    with pytest.raises(SyncExpired):
        repository.changed_since("alice", before)
    with pytest.raises(SyncExpired):
        repository.changed_since("alice", after_first)
    assert repository.changed_since("alice", after_second).deleted == sorted(rest)
    assert repository.changed_since("alice", 0).tasks == []


def test_one_owners_forgotten_tombstones_expire_nobody_elses_cursor(
    fresh_repository: Fresh,
) -> None:
    repository = fresh_repository(tombstones_per_owner=BOUND)
    bobs = repository.add("bob", NewTask("b"), T0)
    assert bobs is not None
    cursor = repository.changed_since("bob", 0).stamp
    assert repository.remove("bob", bobs.id)
    removed_tasks(repository, "alice", 2 * BOUND)
    assert repository.changed_since("bob", cursor).deleted == [bobs.id]


def test_a_tombstone_purged_by_age_frees_its_place(fresh_repository: Fresh) -> None:
    repository = fresh_repository(tombstones_per_owner=BOUND)
    removed_tasks(repository, "alice", BOUND)
    repository.purge(keys_before=T0, tombstones_before=datetime.now(UTC) + timedelta(days=1))
    cursor = repository.changed_since("alice", 0).stamp
    removed_tasks(repository, "alice", BOUND)  # counted down by the purge: all fit
    assert len(repository.changed_since("alice", cursor).deleted) == BOUND


def counts(store: SqlStore, owner: str) -> tuple[int, int]:
    with store.engine.connect() as connection:
        row = connection.execute(
            text("SELECT keys, tombstones FROM task_counts WHERE user_id = :owner"),
            {"owner": owner},
        ).one()
    return row[0], row[1]


def stored(store: SqlStore, owner: str) -> tuple[int, int]:
    with store.engine.connect() as connection:
        keys = connection.execute(
            text("SELECT count(*) FROM idempotency_keys WHERE user_id = :owner"), {"owner": owner}
        ).scalar_one()
        tombstones = connection.execute(
            text("SELECT count(*) FROM task_tombstones WHERE user_id = :owner"), {"owner": owner}
        ).scalar_one()
    return keys, tombstones


def test_sql_counts_are_what_is_stored_after_writes_trims_and_purges(sql_store: SqlStore) -> None:
    repository = sql_store.repository
    for n in range(5):
        keyed_add(repository, "alice", f"k{n}", T0 + timedelta(minutes=n))
    removed_tasks(repository, "alice", 4)
    assert counts(sql_store, "alice") == stored(sql_store, "alice") == (5, 4)
    repository.purge(keys_before=T0 + timedelta(minutes=2), tombstones_before=T0)
    assert counts(sql_store, "alice") == stored(sql_store, "alice") == (3, 4)
    with sql_store.engine.begin() as connection:
        connection.execute(text("UPDATE sync_state SET keys_per_owner = 2"))
    keyed_add(repository, "alice", "k9", T0 + timedelta(minutes=9))
    assert counts(sql_store, "alice") == stored(sql_store, "alice") == (2, 4)


def test_concurrent_keyed_writes_of_one_owner_stay_within_the_bound(
    postgres_store: SqlStore,
) -> None:
    with postgres_store.engine.begin() as connection:
        connection.execute(text("UPDATE sync_state SET keys_per_owner = :bound"), {"bound": BOUND})
    repository = postgres_store.repository
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda n: keyed_add(repository, "alice", f"k{n}", T0), range(40)))
    assert counts(postgres_store, "alice") == stored(postgres_store, "alice") == (BOUND, 0)
    assert len(repository.list("alice")) == 40


def test_purging_while_an_owner_at_the_bound_writes_never_deadlocks(
    postgres_store: SqlStore,
) -> None:
    """The purge locks the owners' count rows before it deletes (their triggers update
    them), as a write does before it trims: never each waiting for the other. (A guard: the
    deadlock was found by reading the lock order; this race did not show it without the fix
    in the runs tried.)"""
    with postgres_store.engine.begin() as connection:
        connection.execute(text("UPDATE sync_state SET keys_per_owner = :bound"), {"bound": BOUND})
    repository = postgres_store.repository
    day = timedelta(days=1)
    for round_ in range(10):
        old = T0 + round_ * 3 * day
        for n in range(BOUND):
            keyed_add(repository, "alice", f"old{round_}-{n}", old + timedelta(seconds=n))
        fresh = old + 2 * day

        def write(n: int, round_: int = round_, fresh: datetime = fresh) -> bool:
            return keyed_add(repository, "alice", f"new{round_}-{n}", fresh)

        with ThreadPoolExecutor(4) as pool:
            writes = [pool.submit(write, n) for n in range(6)]
            purge = pool.submit(repository.purge, fresh - day, T0)
            purge.result()
            assert [w.result() for w in writes] == [False] * 6
    assert counts(postgres_store, "alice") == stored(postgres_store, "alice")
