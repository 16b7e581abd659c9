"""Cold start: from exec to the first 200 of the readiness route, on PostgreSQL, the product
in the `deployed` profile (`todo-api serve`, limits and metrics on, the access log on) beside
the floor app under uvicorn.

    .venv/bin/python -m bench.coldstart                       # product and floor, 5 each
    .venv/bin/python -m bench.coldstart --before /tmp/before  # and an earlier checkout

A scale-to-zero deployment pays this on every first request, and a rolling restart once per
replica. Each target's database is migrated and seeded first (a start then finds no
migration pending, as a restart does); the starts alternate between the targets, and each
is timed from `Popen` to the first 200, polled every 5 ms over a fresh connection.

Every target runs on an interpreter with the product's runtime dependencies only
(`deployed_python`, built once per dependency list under bench/results/): the test and bench
extras would be imported too where installed (dependency-injector loads Werkzeug when it
finds it, pydantic-settings PyYAML), and a deployment has none of them.
"""

from __future__ import annotations

import argparse
import hashlib
import socket
import statistics
import subprocess
import sys
import time
import tomllib
from dataclasses import replace
from pathlib import Path

from bench.targets import Target, describe, earlier_product, floor, product
from bench.workloads import seed
from tests.support.databases import database_url, recreate_database
from tests.support.servers import free_port

REPO = Path(__file__).resolve().parents[1]
SECRET = "bench-secret-0123456789abcdef0123456789abcdef"
POLL = 0.005
PATIENCE = 60.0


def answered_200(port: int, path: str) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
            connection.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            return connection.recv(64).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


def one_start(target: Target, server_url: str) -> float:
    """Seconds from exec to the readiness route's first 200; the process is stopped after."""
    port = free_port()
    env = target.environment(server_url, SECRET)
    command = [*target.command, "--port", str(port)]
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=target.cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        while not answered_200(port, target.ready_path):
            if process.poll() is not None:
                raise SystemExit(f"{target.name} exited with {process.returncode} before ready")
            if time.perf_counter() - started > PATIENCE:
                raise SystemExit(f"{target.name} not ready in {PATIENCE:g} s")
            time.sleep(POLL)
        return time.perf_counter() - started
    finally:
        process.terminate()
        process.wait(timeout=30)


def deployed_python() -> Path:
    """An interpreter with the product's runtime dependencies and nothing else."""
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    dependencies: list[str] = pyproject["project"]["dependencies"]
    key = hashlib.sha256("\n".join(dependencies).encode()).hexdigest()[:12]
    home = REPO / "bench" / "results" / f"deployed-venv-{key}"
    python = home / "bin" / "python"
    if not (home / "installed").exists():
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(home)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *dependencies], check=True)
        (home / "installed").touch()
    return python


def on(python: Path, target: Target) -> Target:
    """`target` started by `python`: the product's own code still from its checkout."""
    program, *arguments = target.command
    if Path(program).name == "todo-api":
        arguments = ["-c", "from todo_api.cli import main; main()", *arguments]
    elif program != sys.executable:  # a console script of the venv: uvicorn
        arguments = ["-m", Path(program).name, *arguments]
    return replace(target, command=[str(python), *arguments])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--before", type=Path, help="an earlier checkout, started alike")
    parser.add_argument("--starts", type=int, default=5, help="per target")
    parser.add_argument(
        "--this-venv", action="store_true", help="start on this interpreter, extras and all"
    )
    args = parser.parse_args()

    targets = [product(REPO, profile="deployed"), floor(args.shared)]
    if args.before is not None:
        targets.append(earlier_product(args.before, profile="deployed"))
    if not args.this_venv:
        python = deployed_python()
        targets = [on(python, target) for target in targets]
    for target in targets:  # migrated by a first start, then seeded
        recreate_database(target.database, args.database_url)
        one_start(target, args.database_url)
        seed(database_url(target.database, args.database_url))
    seconds: dict[str, list[float]] = {target.name: [] for target in targets}
    for start in range(args.starts):
        for target in targets[start % len(targets) :] + targets[: start % len(targets)]:
            seconds[target.name].append(one_start(target, args.database_url))
    floor_median = statistics.median(seconds["floor"])
    print(f"product profile: {describe('deployed')}")
    print(f"exec to ready, seconds (median of {args.starts}, alternating)")
    for name, times in seconds.items():
        median = statistics.median(times)
        runs = " ".join(f"{t:.2f}" for t in times)
        print(f"{name:>8}: {median:.2f}  x floor {median / floor_median:.2f}   ({runs})")


if __name__ == "__main__":
    main()
