"""The real Redis at 127.0.0.1:6379 (REDIS_URL shares rate-limit counters between replicas).
Without it, its tests skip, unless TODO_REQUIRE_REDIS=1 (CI), where they fail."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.servers import free_port

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


def require_redis() -> None:
    try:
        socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=2).close()
    except OSError as error:
        reason = f"Redis not reachable at {REDIS_HOST}:{REDIS_PORT} ({type(error).__name__})"
        if os.environ.get("TODO_REQUIRE_REDIS") == "1":
            pytest.fail(f"{reason}, and TODO_REQUIRE_REDIS=1")
        pytest.skip(reason)


class PrivateRedis:
    """A Redis server of a test's own, on a free loopback port, keeping nothing on disk: one
    the test may stop and start again (the shared one at 6379 must stay up). Stopped by its
    process id."""

    def __init__(self, folder: Path, unix_socket: bool = False) -> None:
        self.folder, self.port = folder, free_port()
        self.socket = folder / "redis.sock" if unix_socket else None
        self.url = f"redis://127.0.0.1:{self.port}/0"
        if self.socket is not None:
            self.url = f"unix://{self.socket}?db=0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [
            shutil.which("redis-server") or "redis-server",
            *("--bind", "127.0.0.1", "--port", str(self.port), "--save", ""),
            *("--appendonly", "no", "--dir", str(self.folder)),
        ]
        if self.socket is not None:
            command += ["--unixsocket", str(self.socket), "--unixsocketperm", "700"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection((REDIS_HOST, self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.05)
        raise AssertionError(f"redis-server did not listen on {self.port}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


@contextmanager
def private_redis(folder: Path, unix_socket: bool = False) -> Iterator[PrivateRedis]:
    if shutil.which("redis-server") is None:
        require_redis()  # the shared one up means the package is there: fail loudly in CI
        pytest.skip("redis-server not installed")
    server = PrivateRedis(folder, unix_socket)
    server.start()
    try:
        yield server
    finally:
        server.stop()
