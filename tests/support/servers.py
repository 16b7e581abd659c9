"""Real `todo-api serve` processes on free loopback ports, started and stopped by process id."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2

from todo_api.settings import Settings

CLI = str(Path(sys.executable).with_name("todo-api"))


class ServerFailed(AssertionError):
    """The server exited or never became ready; the message holds its output."""


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
                raise ServerFailed(f"server exited with {self.process.returncode}:\n{self.output}")
            try:
                if httpx2.get(self.base + "/health/ready", timeout=1).status_code == 200:
                    return
            except httpx2.TransportError:
                pass
            time.sleep(0.1)
        self.process.kill()
        raise ServerFailed(f"server did not become ready in {seconds:g} s:\n{self.output}")

    def stop(self) -> None:
        stop(self.process)


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
        process.wait()
