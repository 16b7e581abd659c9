"""A deadline on every call to a task store, that tells "did not happen" from "may have".

A database that stops answering without closing its connections (a frozen host, a dropped
route) would otherwise hold a request until TCP gives up, minutes later.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable
from typing import Any, TypeVar

from todo_core.errors import StorageTimeout, StorageUnavailable

T = TypeVar("T")


class Attempt:
    """Set `reached` once the operation has been handed to the store (a statement sent, a
    thread started): from then on, running out of time leaves its outcome unknown."""

    __slots__ = ("reached",)

    def __init__(self) -> None:
        self.reached = False


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
        task.cancel()
        raise
    finally:
        clock.cancel()
    if task.done():
        return task.result()
    task.cancel()
    task.add_done_callback(_forget)
    if attempt.reached:
        raise StorageTimeout(f"no answer in {seconds:g} s")
    raise StorageUnavailable(f"not started within {seconds:g} s")


def _settle(answered: asyncio.Future[None], *_: object) -> None:
    if not answered.done():
        answered.set_result(None)


def _forget(task: asyncio.Future[Any]) -> None:
    """Retrieve an abandoned call's outcome, so that asyncio does not report it as lost."""
    if not task.cancelled():
        task.exception()
