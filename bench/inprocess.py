"""In-process A/B: the app called as ASGI (no server, no sockets) on PostgreSQL, its CPU time
per request measured with `time.process_time`, for this checkout and, alternating, others.

    .venv/bin/python -m bench.inprocess                        # this checkout alone
    .venv/bin/python -m bench.inprocess --before /tmp/before   # and an earlier one
    .venv/bin/python -m bench.inprocess --bare                 # and in the bare profile

Each checkout runs in a child process of its own (its own imports), in the `deployed`
profile of bench.targets (rate limits in memory, metrics on, the access log on); `--bare`
adds this checkout in the `bare` profile (limits and metrics off). Blocks of requests
alternate between the children, and the median CPU per request of each workload is
reported. Without a server and a client sharing the two cores, the noise is a few percent,
where the load benchmark's is 15% or more: what a small change costs shows here first.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.targets import PROFILES, describe
from bench.workloads import seed
from tests.support.databases import recreate_database

REPO = Path(__file__).resolve().parents[1]
SECRET = "bench-secret-0123456789abcdef0123456789abcdef"
WORKLOADS = ("list", "get", "create", "toggle", "update", "mix", "list10k")

# Run in each child, from its checkout (`python -c`: the working directory comes first on the
# path, so the checkout's own todo_api is imported). It reads "workload count" lines and
# answers each with the CPU seconds those requests took.
CHILD = r"""
import asyncio, json, logging.config, os, sys, time
import jwt
from todo_api import Container, create_app
from todo_api.logs import logging_config

logging.config.dictConfig(logging_config(False, "INFO"))
IDS = json.loads(os.environ["BENCH_IDS"])
USER, WRITER = os.environ["BENCH_USER"], os.environ["BENCH_WRITER"]  # reads, creates
SECRET, EXPIRES = os.environ["BETTER_AUTH_SECRET"], int(time.time()) + 86400
TOKENS = {u: jwt.encode({"sub": u, "exp": EXPIRES}, SECRET) for u in (USER, WRITER, "big")}
BODY = json.dumps({"title": "bench task", "description": "created in process"}).encode()

async def call(app, state, method, path, body=b""):
    token = TOKENS[path.split("/")[2]]
    headers = [(b"host", b"bench"), (b"authorization", f"Bearer {token}".encode())]
    if body:
        length = str(len(body)).encode()
        headers += [(b"content-type", b"application/json"), (b"content-length", length)]
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
             "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
             "root_path": "", "headers": headers, "client": ("127.0.0.1", 5000),
             "server": ("bench", 80), "state": dict(state)}
    sent = [{"type": "http.request", "body": body, "more_body": False}]
    async def receive():
        return sent.pop() if sent else {"type": "http.disconnect"}
    status = []
    async def send(message):
        if message["type"] == "http.response.start":
            status.append(message["status"])
    await app(scope, receive, send)
    assert status[0] < 300, (method, path, status)

async def main():
    app = create_app(Container())
    state, started = {}, asyncio.Event()
    inbox = asyncio.Queue()
    await inbox.put({"type": "lifespan.startup"})
    async def send(message):
        if message["type"] == "lifespan.startup.complete":
            started.set()
        elif message["type"].endswith("failed"):
            raise SystemExit(message)
    lifespan = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": state}
    running = asyncio.create_task(app(lifespan, inbox.get, send))
    await started.wait()
    ids, mine = IDS[USER], f"/api/{USER}/tasks"
    requests = {
        "list": lambda n: ("GET", mine, b""),
        "get": lambda n: ("GET", f"{mine}/{ids[n % len(ids)]}", b""),
        "create": lambda n: ("POST", f"/api/{WRITER}/tasks", BODY),
        "toggle": lambda n: ("PATCH", f"{mine}/{ids[n % len(ids)]}/complete", b""),
        "update": lambda n: ("PUT", f"{mine}/{ids[n % len(ids)]}", BODY),
    }
    requests["list10k"] = lambda n: ("GET", "/api/big/tasks", b"")  # bench.workloads.BIG
    mix = ["get"] * 4 + ["list"] * 3 + ["create", "toggle", "update"]  # the load bench's mix
    requests["mix"] = lambda n: requests[mix[n % len(mix)]](n // len(mix))
    for line in sys.stdin:
        workload, count = line.split()
        make = requests[workload]
        began = time.process_time()
        for n in range(int(count)):
            await call(app, state, *make(n))
        print(time.process_time() - began, flush=True)
    await inbox.put({"type": "lifespan.shutdown"})
    await running

asyncio.run(main())
"""


def own_database(name: str, server_url: str, checkout: Path) -> str:
    """A fresh database migrated by the checkout's own code: a schema change A/Bs too."""
    url = recreate_database(name, server_url)
    migrating = "import sys; from todo_adapters.sql import migrate; migrate(sys.argv[1])"
    subprocess.run([sys.executable, "-c", migrating, url], cwd=checkout, check=True)
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, action="append", default=[], help="a checkout")
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--blocks", type=int, default=8)
    parser.add_argument("--requests", type=int, default=1000, help="per block")
    parser.add_argument("--workloads", nargs="+", default=list(WORKLOADS[:-1]), choices=WORKLOADS)
    parser.add_argument(
        "--bare",
        action="store_true",
        help="also this checkout in the bare profile (no limits, metrics)",
    )
    args = parser.parse_args()

    ours = ("DATABASE_", "JWT_", "RATE_LIMIT_", "REDIS_", "METRICS", "OTEL_", "ACCESS_LOG")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(ours)},
        "BETTER_AUTH_SECRET": SECRET,
        "ENVIRONMENT": "development",
        "HOUSEKEEPING_INTERVAL_SECONDS": "0",
        "MAX_TASKS_PER_USER": "10000000",  # a writer creates thousands
    }
    logs = tempfile.TemporaryFile("w+")  # noqa: SIM115 (the children's logs, for a failure)
    checkouts = {"now": REPO, **{f"before{n or ''}": p for n, p in enumerate(args.before)}}
    if args.bare:
        checkouts["bare"] = REPO
    profiles = {name: "bare" if name == "bare" else "deployed" for name in checkouts}
    databases = {
        name: own_database(f"bench_inprocess_{n}", args.database_url, path)
        for n, (name, path) in enumerate(checkouts.items())
    }
    children = {
        name: subprocess.Popen(
            [sys.executable, "-c", CHILD],
            cwd=path,
            env={
                **env,
                **PROFILES[profiles[name]],
                "DATABASE_URL": databases[name],
                "BENCH_IDS": json.dumps(seed(databases[name])),
                "BENCH_USER": f"u{n}",
                "BENCH_WRITER": f"w{n}",
            },
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=logs,
            text=True,
        )
        for n, (name, path) in enumerate(checkouts.items())
    }
    cpu: dict[tuple[str, str], list[float]] = {}
    try:
        for block in range(args.blocks + 1):  # the first block warms up, and is not counted
            order = list(children.items())
            order = order[block % len(order) :] + order[: block % len(order)]
            for workload in args.workloads:
                for name, child in order:
                    assert child.stdin is not None
                    assert child.stdout is not None
                    child.stdin.write(f"{workload} {args.requests}\n")
                    child.stdin.flush()
                    answer = child.stdout.readline()
                    if not answer:
                        logs.seek(0)
                        raise SystemExit(f"{name} stopped:\n{logs.read()[-3000:]}")
                    seconds = float(answer)
                    if block:
                        cpu.setdefault((workload, name), []).append(seconds / args.requests)
    finally:
        for child in children.values():
            if child.stdin is not None:
                child.stdin.close()
            child.wait(timeout=30)
    for name, profile in profiles.items():
        print(f"{name} profile: {describe(profile)}")
    print(f"median CPU per request, us ({args.blocks} blocks of {args.requests})")
    print("workload  " + "  ".join(f"{name:>9}" for name in children) + "   now/first")
    for workload in args.workloads:
        medians = [statistics.median(cpu[workload, name]) * 1e6 for name in children]
        ratio = medians[0] / medians[1] if len(medians) > 1 else 1.0
        cells = "  ".join(f"{m:9.1f}" for m in medians)
        print(f"{workload:<9} {cells}   {ratio:.3f}")


if __name__ == "__main__":
    main()
