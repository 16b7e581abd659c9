"""Calling the synchronous ports from async code: on a few threads, and never for long.

A database that stops answering without closing its connections (a frozen host, a dropped
route) would otherwise hold a request, and its thread, until TCP gives up minutes later.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

import anyio

from todo_core.errors import StorageTimeout, StorageUnavailable

T = TypeVar("T")


class Blocking:
    """At most `threads` calls at once (BLOCKING_THREADS), each answered within
    `timeout_seconds` (DB_CALL_TIMEOUT_SECONDS) or turned into an error.

    A few threads beat anyio's default of 40: each extra thread only adds contention for the
    GIL, which showed as p99 latency at 64 connections (192 ms with 40, 74 ms with 4).
    A call still waiting for a thread when time runs out never started (StorageUnavailable);
    one that started is abandoned to finish on its own (StorageTimeout: it may have happened).
    """

    def __init__(self, threads: int, timeout_seconds: float) -> None:
        self.limiter = anyio.CapacityLimiter(threads)
        self.timeout_seconds = timeout_seconds

    async def run(self, call: Callable[[], T]) -> T:
        started = threading.Event()

        def marked() -> T:
            started.set()
            return call()

        with anyio.move_on_after(self.timeout_seconds):
            return await anyio.to_thread.run_sync(
                marked, limiter=self.limiter, abandon_on_cancel=True
            )
        if started.is_set():
            raise StorageTimeout(f"no answer in {self.timeout_seconds:g} s")
        raise StorageUnavailable(f"no thread free in {self.timeout_seconds:g} s")
