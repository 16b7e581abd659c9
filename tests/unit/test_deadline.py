"""A deadline on every call to a task store: bounded time, and an honest error that tells "did
not happen" from "may have happened". Shown on the thread-backed adapter (the SQLite path); the
psycopg adapter shares `within` and is tested against a real server in tests/contract."""

from __future__ import annotations

import asyncio
import gc
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest

from todo_adapters.deadline import Attempt, within
from todo_adapters.memory import InMemoryTaskRepository
from todo_adapters.threaded import ThreadedTaskRepository
from todo_core.errors import StorageTimeout, StorageUnavailable
from todo_core.tasks import NewTask

NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def one_thread() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(1) as threads:
        yield threads


def test_a_call_answers_its_value(one_thread: ThreadPoolExecutor) -> None:
    store = ThreadedTaskRepository(InMemoryTaskRepository(), one_thread, 1)
    task = asyncio.run(store.add("alice", NewTask("x"), NOW))
    assert asyncio.run(store.list("alice")) == [task]


def test_errors_of_the_call_pass_through(one_thread: ThreadPoolExecutor) -> None:
    def broken() -> None:
        raise StorageUnavailable("refused")

    store = ThreadedTaskRepository(InMemoryTaskRepository(), one_thread, 1)
    with pytest.raises(StorageUnavailable, match="refused"):
        asyncio.run(store.run(broken))


def test_a_call_that_hangs_is_abandoned_in_time(one_thread: ThreadPoolExecutor) -> None:
    """Its caller gets StorageTimeout (the call may yet happen) without waiting for it."""
    release = threading.Event()
    store = ThreadedTaskRepository(InMemoryTaskRepository(), one_thread, 0.3)
    started = time.monotonic()
    with pytest.raises(StorageTimeout):
        asyncio.run(store.run(release.wait, 5))
    assert time.monotonic() - started < 1
    release.set()


def test_a_call_that_never_got_a_thread_did_not_happen(one_thread: ThreadPoolExecutor) -> None:
    release, ran = threading.Event(), threading.Event()
    one_thread.submit(release.wait, 5)  # the only thread, taken
    store = ThreadedTaskRepository(InMemoryTaskRepository(), one_thread, 0.3)
    with pytest.raises(StorageUnavailable, match="not started"):
        asyncio.run(store.run(ran.set))
    release.set()
    one_thread.shutdown(wait=True)
    assert not ran.is_set()  # and it never will


def test_abandoned_work_is_cancelled_and_its_error_collected() -> None:
    """The caller is answered at once; the abandoned coroutine is cancelled, and the error it
    ends with is retrieved, so asyncio reports nothing as lost."""
    reported: list[str] = []

    async def stuck(attempt: Attempt) -> None:
        assert attempt.reach()
        try:
            await asyncio.sleep(5)
        except asyncio.CancelledError:
            raise RuntimeError("what a psycopg call may end with once cancelled") from None

    async def scenario() -> None:
        asyncio.get_running_loop().set_exception_handler(
            lambda _, context: reported.append(context["message"])
        )
        attempt = Attempt()
        with pytest.raises(StorageTimeout):
            await within(0.1, attempt, stuck(attempt))
        await asyncio.sleep(0.05)
        gc.collect()  # an unretrieved task error is reported when the task is collected
        await asyncio.sleep(0)

    asyncio.run(scenario())
    assert reported == []


def test_work_abandoned_before_it_reached_the_store_never_reaches_it() -> None:
    """Whichever of `reach` and `abandon` comes first decides, once: a thread freed a moment
    after the deadline finds the call abandoned and does not run it."""
    late = Attempt()
    assert late.abandon() is True  # never reached: "did not happen" is true...
    assert late.reach() is False  # ...and stays true
    early = Attempt()
    assert early.reach() is True
    assert early.abandon() is False  # reached: the outcome is unknown
