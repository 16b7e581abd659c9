"""A real `todo-api serve` process on a free loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from tests.conftest import SECRET
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


def start_server(cwd: Path, env: dict[str, str], *args: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [CLI, "serve", "--port", str(port), "--no-access-log", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode() if process.stdout else ""
            pytest.fail(f"server exited with {process.returncode}:\n{output}")
        try:
            if httpx2.get(base + "/health/ready", timeout=1).status_code == 200:
                return process, base
        except httpx2.TransportError:
            pass
        time.sleep(0.1)
    process.kill()
    pytest.fail("server did not become ready in 30 s")


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
