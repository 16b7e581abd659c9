"""Blocking calls from async code: bounded threads, bounded time, and an honest error."""

from __future__ import annotations

import threading
import time

import anyio
import pytest

from todo_api.blocking import Blocking
from todo_core.errors import StorageTimeout, StorageUnavailable


def test_a_call_answers_its_value() -> None:
    assert anyio.run(Blocking(2, 1).run, lambda: 42) == 42


def test_errors_of_the_call_pass_through() -> None:
    def broken() -> None:
        raise StorageUnavailable("refused")

    with pytest.raises(StorageUnavailable, match="refused"):
        anyio.run(Blocking(2, 1).run, broken)


def test_a_call_that_hangs_is_abandoned_in_time() -> None:
    """Its caller gets StorageTimeout (the call may yet happen) without waiting for it."""
    release = threading.Event()
    started = time.monotonic()
    with pytest.raises(StorageTimeout):
        anyio.run(Blocking(1, 0.3).run, lambda: release.wait(5))
    assert time.monotonic() - started < 1
    release.set()


def test_a_call_that_never_got_a_thread_did_not_happen() -> None:
    blocking = Blocking(1, 0.3)
    ran = threading.Event()

    async def crowded() -> None:
        someone = object()
        await blocking.limiter.acquire_on_behalf_of(someone)  # every thread taken
        try:
            await blocking.run(ran.set)
        finally:
            blocking.limiter.release_on_behalf_of(someone)

    with pytest.raises(StorageUnavailable, match="no thread free"):
        anyio.run(crowded)
    assert not ran.is_set()
