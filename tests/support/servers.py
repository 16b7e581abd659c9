"""Real `todo-api serve` processes on free loopback ports, started and stopped by process id."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2
import uvicorn
from starlette.types import ASGIApp

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


class Service:
    """A server process on a free loopback port, started by the caller and stopped by its
    process id; everything it prints goes to a log file (a pipe nobody reads would fill up
    and stall it). `command` is completed with `--port PORT`."""

    def __init__(
        self,
        command: list[str],
        cwd: Path,
        env: dict[str, str],
        log_path: Callable[[int], Path],
        ready_path: str = "/health/ready",
    ) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.ready_path = ready_path
        self.log_path = log_path(self.port)
        self._launch = [*command, "--port", str(self.port)], cwd, env
        self.process = self._started("wb")

    def restart(self) -> None:
        """Start it again, on the same port, once it has stopped; its log goes on."""
        assert self.process.poll() is not None, "restart a stopped server only"
        self.process = self._started("ab")

    def _started(self, log_mode: str) -> subprocess.Popen[bytes]:
        command, cwd, env = self._launch
        with self.log_path.open(log_mode) as log:
            return subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)

    @property
    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerFailed(f"server exited with {self.process.returncode}:\n{self.output}")
            try:
                if httpx2.get(self.base + self.ready_path, timeout=1).status_code == 200:
                    return
            except httpx2.TransportError:
                pass
            time.sleep(0.1)
        self.process.kill()
        raise ServerFailed(f"server did not become ready in {seconds:g} s:\n{self.output}")

    def cpu_seconds(self) -> float:
        """User and system CPU the process (all its threads) has used so far."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rpartition(")")[2].split()
        ticks = int(fields[11]) + int(fields[12])  # utime, stime
        return ticks / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        stop(self.process)


class Server(Service):
    """A `todo-api serve` process, logging beside its working directory."""

    def __init__(self, cwd: Path, env: dict[str, str], *args: str, access_log: bool = False):
        flags = [] if access_log else ["--no-access-log"]
        command = [CLI, "serve", *flags, *args]
        super().__init__(command, cwd, env, lambda port: cwd / f"server-{port}.log")


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


@contextmanager
def serving_in_process(app: ASGIApp, seconds: float = 30) -> Iterator[str]:
    """`app` on uvicorn in a thread of this process, on a free loopback port: for an app whose
    container the test has changed (a fault injected), which a `todo-api serve` cannot be."""
    config = uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_config=None)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="in-process-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + seconds
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise ServerFailed("the in-process server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=seconds)
