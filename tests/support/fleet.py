"""A fleet on loopback, as production runs one: PgBouncer (transaction mode) in front of a
PostgreSQL database, replicas of `todo-api serve` on it, HAProxy balancing them. Every process
is started by the test, in the foreground, and stopped by its process id.

Needs Debian's pgbouncer and haproxy; without them the caller skips, saying why, and under
TODO_REQUIRE_FLEET=1 (CI) it fails instead.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest
from sqlalchemy.engine import make_url

from tests.support.servers import CLI, ServerFailed, Service, clean_env, free_port, stop

HEALTH_CHECK = "check inter 500ms fall 2 rise 2"  # down within ~1 s: under SHUTDOWN_DRAIN_SECONDS


def unavailable(reason: str) -> NoReturn:
    if os.environ.get("TODO_REQUIRE_FLEET") == "1":
        pytest.fail(f"{reason}, and TODO_REQUIRE_FLEET=1")
    pytest.skip(reason)


def tool(name: str) -> str:
    """Debian's `name`, found even when /usr/sbin is not on PATH."""
    path = shutil.which(name) or f"/usr/sbin/{name}"
    if not os.access(path, os.X_OK):
        unavailable(f"{name} not installed (Debian package {name})")
    return path


class Daemon:
    """A foreground process listening on `port`, its output in `log_path`."""

    def __init__(self, command: list[str], log_path: Path, port: int) -> None:
        self.port, self.log_path = port, log_path
        with log_path.open("wb") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)

    def wait_listening(self, seconds: float = 10) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerFailed(f"exited with {self.process.returncode}:\n{self.output}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.05)
        raise ServerFailed(f"not listening after {seconds:g} s:\n{self.output}")

    @property
    def output(self) -> str:
        return self.log_path.read_text(errors="replace")


class Replica(Service):
    """`todo-api serve` behind the balancer, started again on its own port after a stop."""

    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        command = [CLI, "serve", "--host", "127.0.0.1"]
        super().__init__(command, cwd, env, lambda p: cwd / f"replica-{p}.log", "/readyz")


PGBOUNCER_INI = """\
[databases]
{database} = host={host} port={port}
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {listen}
unix_socket_dir =
auth_type = trust
auth_file = {folder}/userlist.txt
pool_mode = transaction
default_pool_size = 20
max_client_conn = 500
"""

HAPROXY_CFG = """\
global
    log stderr format raw local0 info
defaults
    mode http
    log global
    option httplog
    option dontlog-normal
    option dontlognull
    option http-server-close
    option forwardfor
    retries 0
    timeout connect 2s
    timeout http-request 10s
    timeout client 30s
    timeout server 30s
frontend api
    bind 127.0.0.1:{listen}
    default_backend replicas
backend replicas
    balance roundrobin
    option httpchk GET /readyz
    http-check expect status 200
    http-response set-header X-Served-By %s
"""


def pgbouncer(folder: Path, direct_url: str) -> Daemon:
    """PgBouncer in transaction mode in front of `direct_url`'s database, with its defaults
    otherwise: it refuses a startup `options` parameter. Started as root (which it refuses to
    run as), it reads its files, then becomes `postgres`: hence no log or pid file (the test's
    folder is root's only); it logs to its output, and its pid is the one we hold."""
    server, listen = make_url(direct_url), free_port()
    (folder / "userlist.txt").write_text(f'"{server.username}" "{server.password or ""}"\n')
    config = folder / "pgbouncer.ini"
    config.write_text(
        PGBOUNCER_INI.format(
            database=server.database,
            host=server.host,
            port=server.port or 5432,
            listen=listen,
            folder=folder,
        )
        + ("user = postgres\n" if os.geteuid() == 0 else "")
    )
    return Daemon([tool("pgbouncer"), str(config)], folder / "pgbouncer.log", listen)


def haproxy(folder: Path, replicas: list[Replica]) -> Daemon:
    """HAProxy round robin over the replicas whose /readyz answers, with no retry and no
    redispatch: a replica's failure reaches the client. Answers name their server in
    X-Served-By; only failed requests are logged."""
    listen = free_port()
    config = folder / "haproxy.cfg"
    config.write_text(
        HAPROXY_CFG.format(listen=listen)
        + "".join(
            f"    server r{n} 127.0.0.1:{replica.port} {HEALTH_CHECK}\n"
            for n, replica in enumerate(replicas, 1)
        )
    )
    return Daemon([tool("haproxy"), "-db", "-f", str(config)], folder / "haproxy.log", listen)


@dataclass(frozen=True)
class Fleet:
    base: str  # HAProxy's frontend
    replicas: list[Replica]
    pgbouncer: Daemon
    haproxy: Daemon


@contextmanager
def running_fleet(
    folder: Path, direct_url: str, settings: dict[str, str], size: int = 3
) -> Iterator[Fleet]:
    """`size` replicas of the API on `direct_url`'s database through PgBouncer (migrating it
    directly), behind HAProxy; `settings` configure the replicas. Stopped on the way out."""
    with ExitStack() as stack:
        pooler = pgbouncer(folder, direct_url)
        stack.callback(stop, pooler.process)
        pooler.wait_listening()
        pooled = make_url(direct_url).set(host="127.0.0.1", port=pooler.port)
        env = clean_env(
            DATABASE_URL=pooled.render_as_string(hide_password=False),
            MIGRATIONS_DATABASE_URL=direct_url,
            **settings,
        )
        replicas: list[Replica] = []
        stack.callback(lambda: stop_all([r.process for r in replicas]))  # restarted ones too
        for _ in range(size):
            replicas.append(Replica(folder, env))
        for replica in replicas:
            replica.wait_ready(30)
        balancer = haproxy(folder, replicas)
        stack.callback(stop, balancer.process)
        balancer.wait_listening()
        yield Fleet(f"http://127.0.0.1:{balancer.port}", replicas, pooler, balancer)


def stop_all(processes: list[subprocess.Popen[bytes]], seconds: float = 15) -> None:
    """SIGTERM to all at once (replicas drain side by side), SIGKILL to any left after."""
    for process in processes:
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + seconds
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
