"""The servers a benchmark compares: this product, the seed's sketch, idiomatic async FastAPI
(the floor) and the raw-ASGI ceiling.

Each runs as one uvicorn worker on a PostgreSQL database of its own; the product with its
shipped defaults (access log included), the peers as their READMEs run them.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from bench.loadgen import Picker
from tests.support.databases import database_url
from tests.support.servers import free_port

BIN = Path(sys.executable).parent


@dataclass
class Target:
    name: str
    command: list[str]
    cwd: Path
    ready_path: str
    database: str

    def start(self, server_url: str, secret: str) -> Server:
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "JWT_"))}
        env.update(
            DATABASE_URL=database_url(self.database, server_url),
            BETTER_AUTH_SECRET=secret,
            ENVIRONMENT="development",
        )
        log_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-{self.name}.log"
        with log_path.open("wb") as log:
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

    def cpu_seconds(self) -> float:
        """User and system CPU the server process (all its threads) has used so far."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rpartition(")")[2].split()
        ticks = int(fields[11]) + int(fields[12])  # utime, stime
        return ticks / os.sysconf("SC_CLK_TCK")

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
        [str(BIN / "todo-api"), "serve"],
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


def floor(shared: Path) -> Target:
    command = [
        str(BIN / "uvicorn"),
        "fastapi_floor_app:app",
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    return Target("floor", command, shared / "reference", "/health", "bench_floor")


def reference(shared: Path) -> Target:
    command = [str(BIN / "uvicorn"), "raw_sql_app:app", "--no-access-log", "--log-level", "warning"]
    return Target("raw", command, shared / "reference", "/health", "bench_raw")
