"""A deadline on every call to a task store, that tells "did not happen" from "may have".

A database that stops answering without closing its connections (a frozen host, a dropped
route) would otherwise hold a request until TCP gives up, minutes later.
"""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import Awaitable
from typing import Any, TypeVar

from todo_core.errors import StorageTimeout, StorageUnavailable

T = TypeVar("T")


class Attempt:
    """Whether an operation reached the store, decided once: the work calls `reach()` just
    before handing the operation over (a statement sent, a thread started), the deadline calls
    `abandon()`. Whichever comes first wins, so "not started" is never said of an operation
    that then starts (a thread freed a moment after the deadline must not run it)."""

    __slots__ = ("_abandoned", "_lock", "_reached")

    def __init__(self) -> None:
        self._lock = threading.Lock()  # the work may run on another thread
        self._reached = False
        self._abandoned = False

    def reach(self) -> bool:
        """True: go ahead. False: the caller has been told the operation did not happen."""
        with self._lock:
            self._reached = not self._abandoned
            return self._reached

    def abandon(self) -> bool:
        """True if the operation never reached the store, and now never will."""
        with self._lock:
            self._abandoned = True
            return not self._reached


async def within(seconds: float, attempt: Attempt, work: Awaitable[T]) -> T:
    """`work`'s result, or, once `seconds` have passed, StorageUnavailable if the store was
    never reached and StorageTimeout if it was.

    The work runs as a task of its own and is abandoned, not awaited, when time is up: a
    cancelled psycopg statement first waits (up to 10 s) for the server to confirm the cancel,
    which is the very wait being cut short. It ends by itself, and its connection or thread is
    released then.
    """
    loop = asyncio.get_running_loop()
    task = asyncio.ensure_future(work)
    answered = loop.create_future()  # by the work or by the clock, whichever comes first
    clock = loop.call_later(seconds, _settle, answered)
    task.add_done_callback(functools.partial(_settle, answered))
    try:
        await answered
    except asyncio.CancelledError:  # the request itself was cancelled: so is its work
        _abandon(task)
        raise
    finally:
        clock.cancel()
    if task.done():
        return task.result()
    _abandon(task)
    if attempt.abandon():
        raise StorageUnavailable(f"not started within {seconds:g} s")
    raise StorageTimeout(f"no answer in {seconds:g} s")


def _settle(answered: asyncio.Future[None], *_: object) -> None:
    if not answered.done():
        answered.set_result(None)


def _abandon(task: asyncio.Future[Any]) -> None:
    task.cancel()
    task.add_done_callback(_forget)


def _forget(task: asyncio.Future[Any]) -> None:
    """Retrieve an abandoned call's outcome, so that asyncio does not report it as lost."""
    if not task.cancelled():
        task.exception()


class NotStarted(StorageUnavailable):
    """Raised by work that finds, as it is about to reach the store, that it was abandoned."""

    def __init__(self) -> None:
        super().__init__("abandoned before it started")
