"""Where the slowest requests' time goes: the product as deployed under load, and what its
process was doing while its slowest requests waited.

    .venv/bin/python -m bench.tails                          # get and list at 64 connections
    .venv/bin/python -m bench.tails --workloads mix --runs 3 --connections 64

The server runs with a probe (in its own process, nothing in the product): `gc.callbacks`
time every collection, and a task on its event loop sleeps 1 ms again and again, recording
how late it comes back (the loop's lag: how long other work held it). The client keeps each
request's start and end; both sides read CLOCK_MONOTONIC, so a request's window can be laid
over the server's record. For the slowest 1% of requests it reports how much of their
windows a collection covered and the worst lag within each, against the whole run.

A thread sampling the loop's stack was tried first: under uvloop a sampler only gets the
GIL while the loop waits in epoll, so every sample said "idle".
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from bench.loadgen import Outcome, run_load
from bench.targets import PROFILES, Target
from bench.workloads import pickers, seed, tokens
from tests.support.databases import recreate_database

REPO = Path(__file__).resolve().parents[1]
SECRET = "bench-secret-0123456789abcdef0123456789abcdef"

# Run in the server's process before `todo-api serve`: the probe, then the product's CLI.
PROBE = r"""
import asyncio, contextlib, gc, json, os, signal, sys, time
import todo_api.app

collections, lags, began = [], [], [0.0]

def on_gc(phase, info):
    if phase == "start":
        began[0] = time.perf_counter()
    else:
        collections.append((began[0], time.perf_counter(), info["generation"]))

gc.callbacks.append(on_gc)

async def lag():  # a 1 ms sleep, again and again: how late the loop comes back is its lag
    while True:
        asked = time.perf_counter()
        await asyncio.sleep(0.001)
        back = time.perf_counter()
        lags.append((asked, back, back - asked - 0.001))

create_app = todo_api.app.create_app

def probed_app():
    app = create_app()
    lifespan = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def probing(app_):
        async with lifespan(app_) as state:
            task = asyncio.create_task(lag())
            yield state
            task.cancel()

    app.router.lifespan_context = probing
    return app

todo_api.app.create_app = probed_app

def dumped_then_gone(signum, frame):
    with open(os.environ["TAILS_RECORD"], "w") as record:
        json.dump({"gc": collections, "lags": lags}, record)
    os._exit(0)

# uvicorn re-raises SIGTERM after its graceful shutdown, with the handler found at start:
# this one, so that the record is written before the process goes.
signal.signal(signal.SIGTERM, dumped_then_gone)
from todo_api.cli import main
sys.argv = ["todo-api", *sys.argv[1:]]
main()
"""


def probed_product(record: Path) -> Target:
    command = [sys.executable, "-c", PROBE, "serve"]
    settings = {**PROFILES["deployed"], "TAILS_RECORD": str(record)}
    return Target("probed", command, REPO, "/health/ready", "bench_tails", settings, "deployed")


def overlap(start: float, end: float, spans: list[tuple[float, float]]) -> float:
    return sum(max(0.0, min(end, b) - max(start, a)) for a, b in spans)


def report(name: str, outcome: Outcome, record: dict[str, Any]) -> None:
    collections = [(a, b) for a, b, _ in record["gc"]]
    spans = sorted(outcome.spans, key=lambda span: span[1] - span[0])
    if not spans:
        print(f"{name}: no requests")
        return
    slowest = spans[-max(1, len(spans) // 100) :]
    first, last = min(start for start, _ in spans), max(end for _, end in spans)
    latencies = [end - start for start, end in outcome.spans]
    print(
        f"\n== {name}: {len(spans)} requests, p50 {statistics.median(latencies) * 1000:.1f} ms,"
        f" p99 {sorted(latencies)[int(0.99 * len(latencies))] * 1000:.1f} ms,"
        f" slowest 1% from {(slowest[0][1] - slowest[0][0]) * 1000:.1f} ms"
    )
    whole = max(last - first, 1e-9)
    gc_all = overlap(first, last, collections) / whole
    gc_slow = statistics.mean(overlap(a, b, collections) / (b - a) for a, b in slowest)
    by_generation = Counter(generation for a, b, generation in record["gc"] if first <= a <= last)
    longest = max((b - a for a, b, _ in record["gc"] if first <= a <= last), default=0.0)
    print(
        f"garbage collection: {gc_all:.1%} of the run, {gc_slow:.1%} of the slowest windows;"
        f" collections by generation {dict(sorted(by_generation.items()))},"
        f" longest {longest * 1000:.1f} ms"
    )
    lags = [(a, b, late) for a, b, late in record["lags"] if first <= a and b <= last]
    slow_lags = [
        max((late for a, b, late in lags if start <= b and a <= end), default=0.0)
        for start, end in slowest
    ]
    every = sorted(late * 1000 for _, _, late in lags)
    if every:
        p50, p99 = every[len(every) // 2], every[int(0.99 * len(every))]
        print(
            f"the loop's lag (a 1 ms sleep's lateness, {len(every)} samples): p50 {p50:.1f} ms,"
            f" p99 {p99:.1f} ms, max {every[-1]:.1f} ms; the worst within each slowest window:"
            f" median {statistics.median(slow_lags) * 1000:.1f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--workloads", nargs="+", default=["get", "list"])
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=6)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="bench-tails-"))
    url = recreate_database("bench_tails", args.database_url)
    ids: dict[str, list[int]] | None = None
    for run in range(args.runs):
        for workload in args.workloads:
            record = folder / f"{workload}-{run}.json"
            service = probed_product(record).start(args.database_url, SECRET)
            try:
                ids = ids or seed(url)  # once the first start has migrated the database
                outcome = run_load(
                    "127.0.0.1",
                    service.port,
                    pickers(ids, tokens(SECRET))[workload],
                    args.connections,
                    args.seconds,
                    warmup=1.0,
                    keep_spans=True,
                )
            finally:
                service.stop()
            name = f"{workload}, {args.connections} connections, run {run + 1}"
            report(name, outcome, json.loads(record.read_text()))
    print(f"\nrecords: {folder}")


if __name__ == "__main__":
    main()
