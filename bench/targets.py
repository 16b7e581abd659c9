"""The servers a benchmark compares: this product, the seed's sketch, idiomatic async FastAPI
(the floor) and the raw-ASGI ceiling.

Each runs as one uvicorn worker on a PostgreSQL database of its own; the product with its
shipped defaults (access log included), the peers as their READMEs run them.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from bench.loadgen import Picker
from tests.support.databases import database_url
from tests.support.servers import Service

BIN = Path(sys.executable).parent


@dataclass
class Target:
    name: str
    command: list[str]
    cwd: Path
    ready_path: str
    database: str

    def start(self, server_url: str, secret: str) -> Service:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "JWT_"))}
        env.update(
            DATABASE_URL=database_url(self.database, server_url),
            BETTER_AUTH_SECRET=secret,
            ENVIRONMENT="development",
        )
        logs = Path(os.environ.get("TMPDIR", "/tmp"))
        service = Service(
            self.command, self.cwd, env, lambda _: logs / f"bench-{self.name}.log", self.ready_path
        )
        service.wait_ready()
        return service


@dataclass
class Server:
    """A target running, and the requests each workload sends it."""

    target: Target
    service: Service
    pickers: dict[str, Picker] = field(default_factory=dict)  # workload -> next request


def product(repo: Path) -> Target:
    return Target(
        "product",
        [str(BIN / "todo-api"), "serve"],
        repo,
        "/health/ready",
        "bench_product",
    )


def earlier_product(checkout: Path) -> Target:
    """The product as checked out in `checkout` (a `git worktree` of an earlier commit), run
    with this venv: an A/B of a change, in the same alternation."""
    command = [sys.executable, "-c", "from todo_api.cli import main; main()", "serve"]
    return Target("before", command, checkout, "/health/ready", "bench_before")


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
