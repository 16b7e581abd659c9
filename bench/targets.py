"""The servers a benchmark compares: this product, the seed's sketch, idiomatic async FastAPI
(the floor) and the raw-ASGI ceiling.

Each runs as one uvicorn worker on a PostgreSQL database of its own; the product in one of
the named PROFILES (`deployed` unless asked otherwise), the peers as their READMEs run them.
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
    settings: dict[str, str] = field(default_factory=dict)
    profile: str = ""  # the product's: a key of PROFILES; a peer has none

    def environment(self, server_url: str, secret: str) -> dict[str, str]:
        """This process's environment without our settings, then the target's own."""
        ours = ("DATABASE_", "JWT_", "RATE_LIMIT_", "REDIS_", "METRICS", "OTEL_")
        env = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
        env.update(
            DATABASE_URL=database_url(self.database, server_url),
            BETTER_AUTH_SECRET=secret,
            ENVIRONMENT="development",
            **self.settings,
        )
        return env

    def start(self, server_url: str, secret: str) -> Service:
        env = self.environment(server_url, secret)
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


PROFILES: dict[str, dict[str, str]] = {
    # As a fleet runs it: rate limits counted in memory (or in Redis with --redis), so high
    # that the bench's 100 users never reach them (the cost of counting, not of refusing);
    # metrics on behind a token, scraped by nobody; the access log on.
    "deployed": {
        "RATE_LIMIT_READS": "100000000/minute",
        "RATE_LIMIT_WRITES": "100000000/minute",
        "METRICS": "true",
        "METRICS_TOKEN": "bench-scrape-token-0123456789",
        "ACCESS_LOG": "true",
    },
    # Limits and metrics off (the access log still on), to measure what they cost.
    "bare": {
        "RATE_LIMIT_READS": "0",
        "RATE_LIMIT_WRITES": "0",
        "METRICS": "false",
        "ACCESS_LOG": "true",
    },
}


def describe(profile: str, redis_url: str | None = None) -> str:
    """The profile in a few words, read from its settings: `deployed (rate limits in memory,
    metrics on, access log on)`."""
    settings = profile_settings(profile, redis_url)
    limits = "in Redis" if "REDIS_URL" in settings else "in memory"
    limits = limits if _counts_limits(profile) else "off"
    metrics = "on" if settings["METRICS"] == "true" else "off"
    access_log = "on" if settings["ACCESS_LOG"] == "true" else "off"
    return f"{profile} (rate limits {limits}, metrics {metrics}, access log {access_log})"


def profile_settings(profile: str, redis_url: str | None = None) -> dict[str, str]:
    """The product's settings in `profile`; with `redis_url`, its limits counted there."""
    redis = {"REDIS_URL": redis_url} if redis_url and _counts_limits(profile) else {}
    return {**PROFILES[profile], **redis}


def _counts_limits(profile: str) -> bool:
    return PROFILES[profile]["RATE_LIMIT_READS"] != "0"


def product(repo: Path, redis_url: str | None = None, profile: str = "deployed") -> Target:
    command = [str(BIN / "todo-api"), "serve"]
    settings = profile_settings(profile, redis_url)
    return Target("product", command, repo, "/health/ready", "bench_product", settings, profile)


def bare_product(repo: Path) -> Target:
    """The product in the bare profile: an extra target, for an A/B of limits and metrics."""
    command = [str(BIN / "todo-api"), "serve"]
    settings = profile_settings("bare")
    return Target("bare", command, repo, "/health/ready", "bench_bare", settings, "bare")


def earlier_product(
    checkout: Path, redis_url: str | None = None, profile: str = "deployed"
) -> Target:
    """The product as checked out in `checkout` (a `git worktree` of an earlier commit), run
    with this venv and the same profile: an A/B of a change, in the same alternation."""
    command = [sys.executable, "-c", "from todo_api.cli import main; main()", "serve"]
    settings = profile_settings(profile, redis_url)
    return Target("before", command, checkout, "/health/ready", "bench_before", settings, profile)


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
