"""Threads of the app's own, for what must not run on the event loop."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor


def thread_pool(threads: int, name: str) -> Iterator[ThreadPoolExecutor]:
    """A bounded pool of threads of its own, shut down with the app (without waiting for calls
    abandoned past their deadline)."""
    pool = ThreadPoolExecutor(threads, thread_name_prefix=name)
    try:
        yield pool
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
