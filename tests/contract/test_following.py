"""Following an owner's changes ("poke, then pull") over every store: each write pokes the
owner's followers once it has committed, a follower pulls from its cursor what changed, and no
write is missed, whether it lands before, during or after a pull. Async stores are followed
on their own loop (`AsyncTaskService.follow`); the sync service's twin in a thread."""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from anyio.from_thread import BlockingPortal

from tests.contract.conftest import ADAPTERS, _fresh, _params
from tests.support.repositories import Awaited
from todo_adapters.memory import AsyncInMemoryChangeNotifier, InMemoryChangeNotifier
from todo_core.ports import TaskRepository
from todo_core.service import TaskService
from todo_core.service_async import AsyncTaskService
from todo_core.tasks import NewTask

WAIT = 5.0  # seconds a poke may take to arrive: far more than it does


class Follower:
    """A follower's cursors, asked for with a timeout: the next one is one task, which a
    timeout leaves running for whoever asks next (an async generator runs one step at once)."""

    def __init__(self, cursors: AsyncIterator[str]) -> None:
        self._cursors = cursors
        self._step: asyncio.Task[str] | None = None

    def start(self) -> asyncio.Task[str]:
        if self._step is None or self._step.done():
            self._step = asyncio.ensure_future(anext(self._cursors))
        return self._step

    async def next(self, timeout: float = WAIT) -> str:
        return await asyncio.wait_for(asyncio.shield(self.start()), timeout)

    async def quiet(self, seconds: float) -> bool:
        """Whether no cursor comes within `seconds`."""
        try:
            await asyncio.wait_for(asyncio.shield(self.start()), seconds)
        except TimeoutError:
            return True
        return False

    async def close(self) -> None:
        if self._step is not None and not self._step.done():
            self._step.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._step
        await self._cursors.aclose()  # type: ignore[attr-defined]


async def _followed(notifier: AsyncInMemoryChangeNotifier, owner: str) -> None:
    deadline = time.monotonic() + WAIT
    while owner not in notifier.followed():
        assert time.monotonic() < deadline, "the follower never started following"
        await asyncio.sleep(0.005)


async def _following(
    service: AsyncTaskService, notifier: AsyncInMemoryChangeNotifier, owner: str
) -> tuple[str, Follower]:
    """A sync cursor of now, and a follower of `owner` that has begun following."""
    start = (await service.changes(owner, "0")).cursor
    follower = Follower(await service.follow(owner))
    follower.start()
    await _followed(notifier, owner)
    return start, follower


@pytest.fixture(
    params=_params([kind for kind in ADAPTERS if kind.endswith(("-async", "-observed"))])
)
def async_repository(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Awaited]:
    """An empty async store (behind `Awaited`, whose `tasks` it is), of each async kind."""
    for fresh, _ in _fresh(request.param, request, tmp_path):
        repository = fresh()
        assert isinstance(repository, Awaited)
        yield repository


def _on_loop(
    repository: Awaited,
    portal: BlockingPortal,
    scenario: Callable[[AsyncTaskService, AsyncInMemoryChangeNotifier], Awaitable[Any]],
) -> None:
    notifier = AsyncInMemoryChangeNotifier()
    service = AsyncTaskService(repository.tasks, changes=notifier)

    async def run() -> None:
        await scenario(service, notifier)

    portal.call(run)


def test_a_write_pokes_the_owner_and_the_pull_finds_it(
    async_repository: Awaited, portal: BlockingPortal
) -> None:
    async def scenario(service: AsyncTaskService, notifier: AsyncInMemoryChangeNotifier) -> None:
        start, follower = await _following(service, notifier, "alice")
        task = await service.add("alice", "first")
        first = await follower.next()
        assert [t.id for t in (await service.changes("alice", start)).tasks] == [task.id]
        await service.add("bob", "not alice's")
        assert await follower.quiet(0.3)
        await service.toggle("alice", task.id)
        await follower.next()
        pulled = await service.changes("alice", first)
        assert [(t.id, t.completed) for t in pulled.tasks] == [(task.id, True)]
        await service.remove("alice", task.id)
        await follower.next()
        assert (await service.changes("alice", pulled.cursor)).deleted == [task.id]
        await follower.close()
        assert "alice" not in notifier.followed()

    _on_loop(async_repository, portal, scenario)


def test_a_burst_of_writes_is_a_few_pokes_and_misses_nothing(
    async_repository: Awaited, portal: BlockingPortal
) -> None:
    async def scenario(service: AsyncTaskService, notifier: AsyncInMemoryChangeNotifier) -> None:
        start, follower = await _following(service, notifier, "alice")
        added = [(await service.add("alice", f"t{n}")).id for n in range(20)]
        seen = [await follower.next()]
        while (await service.changes("alice", seen[-1])).tasks:  # behind: another must come
            seen.append(await follower.next())
        assert len(seen) <= len(added)  # never more pokes than writes (fewer when bursty)
        assert sorted(t.id for t in (await service.changes("alice", start)).tasks) == added
        await follower.close()

    _on_loop(async_repository, portal, scenario)


def test_a_burst_of_pokes_wakes_a_follower_once(portal: BlockingPortal) -> None:
    """The slot of one: what makes a burst of writes a few pokes however fast they come."""
    notifier = AsyncInMemoryChangeNotifier()

    async def scenario() -> None:
        async with notifier.follow("alice") as pokes, notifier.follow("alice") as other:
            for _ in range(20):
                await notifier.publish("alice")
            await asyncio.wait_for(pokes.wait(), WAIT)
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(pokes.wait(), 0.2)  # the burst woke it once
            await asyncio.wait_for(other.wait(), WAIT)  # every follower is poked
            notifier.poke()  # everyone's: what a notifier does once its backend is back
            await asyncio.wait_for(pokes.wait(), WAIT)
        assert notifier.followed() == set()

    portal.call(scenario)


def test_a_follower_behind_its_cursor_is_poked_at_once(
    async_repository: Awaited, portal: BlockingPortal
) -> None:
    async def scenario(service: AsyncTaskService, notifier: AsyncInMemoryChangeNotifier) -> None:
        old = (await service.changes("alice", "0")).cursor
        await service.add("alice", "written while away")
        behind = Follower(await service.follow("alice", since=old))
        assert (await service.changes("alice", await behind.next())).tasks == []
        await behind.close()
        since = (await service.changes("alice", old)).cursor
        current = Follower(await service.follow("alice", since=since))
        assert await current.quiet(0.3)  # up to date: nothing until a write
        await service.add("alice", "now")
        await current.next()
        await current.close()

    _on_loop(async_repository, portal, scenario)


def test_the_sync_service_follows_in_a_thread(repository: TaskRepository) -> None:
    notifier = InMemoryChangeNotifier()
    service = TaskService(repository, changes=notifier)
    start = service.changes("alice", "0").cursor
    cursors: queue.Queue[str] = queue.Queue()
    stop = threading.Event()

    def follow() -> None:
        for cursor in service.follow("alice"):
            cursors.put(cursor)
            if stop.is_set():
                return

    follower = threading.Thread(target=follow, daemon=True)
    follower.start()
    deadline = time.monotonic() + WAIT
    while "alice" not in notifier.followed():
        assert time.monotonic() < deadline
        time.sleep(0.005)
    task = service.add("alice", "from a thread")
    cursor = cursors.get(timeout=WAIT)
    assert [t.id for t in service.changes("alice", start).tasks] == [task.id]
    stop.set()
    service.change("alice", task.id, title="last")
    assert service.changes("alice", cursor).tasks[0].title == "last"
    follower.join(WAIT)
    assert not follower.is_alive()
    assert "alice" not in notifier.followed()


def test_following_needs_a_notifier(repository: TaskRepository) -> None:
    with pytest.raises(RuntimeError, match="change notifier"):
        TaskService(repository).follow("alice")


def test_a_sync_from_the_sync_stamp_misses_no_later_write(repository: TaskRepository) -> None:
    """Where a follower without a cursor starts: every write after it is in a sync from it
    (an earlier one may be too, on PostgreSQL, whose stamps are transaction ids)."""
    now = datetime(2026, 1, 1, tzinfo=UTC)
    repository.add("alice", NewTask.of("before"), now)
    stamp = repository.sync_stamp("alice")
    later = repository.add("alice", NewTask.of("after"), now)
    assert later is not None
    synced = repository.changed_since("alice", stamp)
    assert later.id in [task.id for task in synced.tasks]
    assert synced.stamp >= stamp
