"""The servers a benchmark compares: this product, the seed's sketch, and the raw-SQL ceiling.

Each runs as one uvicorn worker without access logs, on a PostgreSQL database of its own.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from bench.loadgen import Picker

BIN = Path(sys.executable).parent


@dataclass
class Target:
    name: str
    command: list[str]
    cwd: Path
    ready_path: str
    database: str

    def start(self, server_url: str, secret: str) -> Server:
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "JWT_"))}
        env.update(
            DATABASE_URL=_database_url(server_url, self.database),
            BETTER_AUTH_SECRET=secret,
            ENVIRONMENT="development",
        )
        log = open(Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-{self.name}.log", "ab")  # noqa: SIM115
        process = subprocess.Popen(
            [*self.command, "--port", str(port)], cwd=self.cwd, env=env, stdout=log, stderr=log
        )
        server = Server(self, process, port)
        server.wait_ready()
        return server


@dataclass
class Server:
    target: Target
    process: subprocess.Popen[bytes]
    port: int
    pickers: dict[str, Picker] = field(default_factory=dict)  # workload -> next request

    def wait_ready(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        url = f"http://127.0.0.1:{self.port}{self.target.ready_path}"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.target.name} exited; see its bench-*.log in $TMPDIR")
            try:
                with urllib.request.urlopen(url, timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"{self.target.name} not ready after {seconds} s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def product(repo: Path) -> Target:
    return Target(
        "product",
        [str(BIN / "todo-api"), "serve", "--no-access-log"],
        repo,
        "/health/ready",
        "bench_product",
    )


def baseline(shared: Path) -> Target:
    command = [
        str(BIN / "uvicorn"),
        "backend.main:app",
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    return Target("sketch", command, shared / "baseline", "/health", "bench_sketch")


def reference(shared: Path) -> Target:
    command = [str(BIN / "uvicorn"), "raw_sql_app:app", "--no-access-log", "--log-level", "warning"]
    return Target("raw", command, shared / "reference", "/health", "bench_raw")


def _database_url(server_url: str, database: str) -> str:
    base, _, _ = server_url.rpartition("/")
    return f"{base}/{database}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
