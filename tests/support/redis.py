"""The real Redis at 127.0.0.1:6379 (REDIS_URL shares rate-limit counters between replicas).
Without it, its tests skip, unless TODO_REQUIRE_REDIS=1 (CI), where they fail."""

from __future__ import annotations

import os
import socket

import pytest

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


def require_redis() -> None:
    try:
        socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=2).close()
    except OSError as error:
        reason = f"Redis not reachable at {REDIS_HOST}:{REDIS_PORT} ({type(error).__name__})"
        if os.environ.get("TODO_REQUIRE_REDIS") == "1":
            pytest.fail(f"{reason}, and TODO_REQUIRE_REDIS=1")
        pytest.skip(reason)
