"""A real `todo-api serve` process on a free loopback port."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from tests.conftest import SECRET, require_postgres
from tests.e2e.private_postgres import PrivateCluster, server_binaries
from todo_api.settings import Settings

CLI = str(Path(sys.executable).with_name("todo-api"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def clean_env(**extra: str) -> dict[str, str]:
    """The environment with none of our settings, so that only `extra` configures the server."""
    ours = {name.upper() for name in Settings.model_fields}
    env = {k: v for k, v in os.environ.items() if k not in ours}
    env.update(extra)
    return env


class Server:
    """A `todo-api serve` process; everything it prints goes to `log_path` (a pipe nobody reads
    would fill up and stall it)."""

    def __init__(self, cwd: Path, env: dict[str, str], *args: str, access_log: bool = False):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = cwd / f"server-{self.port}.log"
        flags = [] if access_log else ["--no-access-log"]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [CLI, "serve", "--port", str(self.port), *flags, *args],
                cwd=cwd,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    @property
    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"server exited with {self.process.returncode}:\n{self.output}")
            try:
                if httpx2.get(self.base + "/health/ready", timeout=1).status_code == 200:
                    return
            except httpx2.TransportError:
                pass
            time.sleep(0.1)
        self.process.kill()
        pytest.fail(f"server did not become ready in {seconds:g} s:\n{self.output}")


def start_server(
    cwd: Path, env: dict[str, str], *args: str, access_log: bool = False
) -> tuple[subprocess.Popen[bytes], str]:
    server = Server(cwd, env, *args, access_log=access_log)
    server.wait_ready()
    return server.process, server.base


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="module")
def pg_server(postgres_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of the API served by uvicorn on the private PostgreSQL database."""
    cwd = tmp_path_factory.mktemp("server")
    process, base = start_server(
        cwd, clean_env(DATABASE_URL=postgres_url, BETTER_AUTH_SECRET=SECRET)
    )
    yield base
    stop(process)


@pytest.fixture
def private_cluster() -> Iterator[PrivateCluster]:
    binaries = server_binaries()
    if binaries is None:
        message = "PostgreSQL server binaries (initdb, pg_ctl) not found"
        if require_postgres():
            pytest.fail(message + " and TODO_REQUIRE_POSTGRES=1")
        pytest.skip(message)
    root = Path(tempfile.mkdtemp(prefix="todo-pg-"))
    root.chmod(0o755)
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    cluster = PrivateCluster(root, binaries, free_port())
    cluster.start()
    yield cluster
    with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
        cluster.stop()
    shutil.rmtree(root, ignore_errors=True)
