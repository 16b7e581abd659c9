"""Time as the domain sees it: timezone-aware UTC that never repeats or runs backwards."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol

_TICK = timedelta(microseconds=1)


class Clock(Protocol):
    def __call__(self) -> datetime: ...


class UtcClock:
    """Aware UTC now, strictly increasing within the process.

    Two changes in the same microsecond (or a wall clock stepped back) would otherwise give a
    task an `updated_at` that does not advance; clients use it to order and to detect edits.
    """

    def __init__(self) -> None:
        self._last = datetime.min.replace(tzinfo=UTC)
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        now = datetime.now(UTC)
        with self._lock:
            if now <= self._last:
                now = self._last + _TICK
            self._last = now
        return now
