from __future__ import annotations

import itertools
import threading
from datetime import UTC, datetime

from todo_core.clock import UtcClock


def test_clock_is_aware_utc_and_strictly_increasing() -> None:
    clock = UtcClock()
    readings = [clock() for _ in range(10_000)]
    assert all(reading.tzinfo is UTC for reading in readings)
    assert all(a < b for a, b in itertools.pairwise(readings))
    assert abs((readings[0] - datetime.now(UTC)).total_seconds()) < 5


def test_clock_never_repeats_across_threads() -> None:
    clock = UtcClock()
    seen: list[datetime] = []
    lock = threading.Lock()

    def read() -> None:
        mine = [clock() for _ in range(2_000)]
        with lock:
            seen.extend(mine)

    threads = [threading.Thread(target=read) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(seen)) == len(seen) == 16_000
