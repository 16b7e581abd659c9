"""Budgets counted in this process's memory: fixed windows, one dict entry per budget.

They count as `limits`' FixedWindowRateLimiter does: a window opens at its budget's first
request and lasts the rate's period, and every request counts, a refused one too. `limits`'
own async MemoryStorage starts a task on every hit that walks every key it holds (its cost
is on the docs' performance page); here a hit is two dict lookups, and ended windows are
swept at most once a period. `limits` still reads the rates and counts the shared budget in
Redis (`budgets`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from limits import RateLimitItem


@dataclass(slots=True)
class _Window:
    ends: float
    count: int


class MemoryWindows:
    """Counts per budget, each named by its identifiers (`("reads", "user:alice")`): one
    rate per name, as `RateLimits` keeps one rate per kind."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._windows: dict[tuple[str, ...], _Window] = {}
        self._clock = clock
        self._sweep_at = 0.0

    def hit(self, item: RateLimitItem, *identifiers: str, cost: int = 1) -> bool:
        """Count `cost` requests; whether the window's count is still within the rate."""
        now = self._clock()
        window = self._windows.get(identifiers)
        if window is None or window.ends <= now:
            period = item.get_expiry()
            if now >= self._sweep_at:  # forget the windows that are over, once a period
                self._windows = {name: w for name, w in self._windows.items() if w.ends > now}
                self._sweep_at = now + period
            window = self._windows[identifiers] = _Window(now + period, 0)
        window.count += cost
        return window.count <= item.amount

    def count(self, *identifiers: str) -> int:
        """The requests counted in the budget's current window."""
        window = self._windows.get(identifiers)
        return 0 if window is None or window.ends <= self._clock() else window.count

    def __len__(self) -> int:
        """How many budgets are held (ended windows stay until the next sweep)."""
        return len(self._windows)

    def seconds_left(self, *identifiers: str) -> float:
        """Until the budget's current window ends (0 when none is open)."""
        window = self._windows.get(identifiers)
        return 0.0 if window is None else max(0.0, window.ends - self._clock())
