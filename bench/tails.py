"""Where the slowest requests' time goes: the product as deployed under load, and what its
process was doing while its slowest requests waited.

    .venv/bin/python -m bench.tails                          # get and list at 64 connections
    .venv/bin/python -m bench.tails --workloads mix --runs 3 --connections 64

The server runs with a probe (in its own process, nothing in the product): `gc.callbacks`
time every collection, and a thread samples the event loop's thread's stack every few
milliseconds. The client keeps each request's start and end; both sides read
CLOCK_MONOTONIC, so a request's window can be laid over the server's record. For the slowest
1% of requests it reports how much of their windows a collection covered, how much the loop
sat idle in `epoll` (waiting on the database, or on nothing), and the functions the loop
was in otherwise, against the same figures over the whole run.
"""

from __future__ import annotations

import argparse
import bisect
import json
import statistics
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from bench.loadgen import Outcome, run_load
from bench.targets import FLEET_SETTINGS, Target
from bench.workloads import pickers, seed, tokens
from tests.support.databases import recreate_database

REPO = Path(__file__).resolve().parents[1]
SECRET = "bench-secret-0123456789abcdef0123456789abcdef"
IDLE = ("select", "poll", "_run_once")  # the loop waiting for I/O

# Run in the server's process before `todo-api serve`: the probe, then the product's CLI.
PROBE = r"""
import atexit, gc, json, os, sys, threading, time

events, samples, began = [], [], [0.0]

def on_gc(phase, info):
    if phase == "start":
        began[0] = time.perf_counter()
    else:
        events.append((began[0], time.perf_counter(), info["generation"]))

gc.callbacks.append(on_gc)
main = threading.main_thread().ident

def sample():
    while True:
        time.sleep(0.002)
        frame, stack = sys._current_frames().get(main), []
        while frame is not None and len(stack) < 8:
            stack.append(frame.f_code.co_name + " " + frame.f_code.co_filename.rsplit("/", 1)[-1])
            frame = frame.f_back
        samples.append((time.perf_counter(), stack))

threading.Thread(target=sample, daemon=True).start()

def dump():
    with open(os.environ["TAILS_RECORD"], "w") as record:
        json.dump({"gc": events, "samples": samples}, record)

atexit.register(dump)
from todo_api.cli import main
sys.argv = ["todo-api", *sys.argv[1:]]
main()
"""


def probed_product(record: Path) -> Target:
    command = [sys.executable, "-c", PROBE, "serve"]
    settings = {**FLEET_SETTINGS, "TAILS_RECORD": str(record)}
    return Target("probed", command, REPO, "/health/ready", "bench_tails", settings)


def overlap(start: float, end: float, spans: list[tuple[float, float]]) -> float:
    return sum(max(0.0, min(end, b) - max(start, a)) for a, b in spans)


def what_the_loop_did(samples: list[tuple[float, list[str]]]) -> Counter[str]:
    """Per sample, the innermost frame outside asyncio's own machinery ("idle" when waiting
    in epoll)."""
    seen: Counter[str] = Counter()
    for _, stack in samples:
        if not stack or stack[0].split()[0] in IDLE:
            seen["idle (epoll)"] += 1
            continue
        frame = next((f for f in stack if "asyncio" not in f and "events.py" not in f), stack[0])
        seen[frame] += 1
    return seen


def report(name: str, outcome: Outcome, record: dict[str, Any]) -> None:
    collections = [(a, b) for a, b, _ in record["gc"]]
    samples = [(t, stack) for t, stack in record["samples"]]
    times = [t for t, _ in samples]
    spans = sorted(outcome.spans, key=lambda span: span[1] - span[0])
    if not spans:
        print(f"{name}: no requests")
        return
    slowest = spans[-max(1, len(spans) // 100) :]
    first, last = spans[0][0], max(end for _, end in outcome.spans)
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
    in_run = samples[bisect.bisect_left(times, first) : bisect.bisect_right(times, last)]
    in_slow = [
        sample
        for a, b in slowest
        for sample in samples[bisect.bisect_left(times, a) : bisect.bisect_right(times, b)]
    ]
    overall, slow = what_the_loop_did(in_run), what_the_loop_did(in_slow)
    print(f"the loop's thread, sampled ({len(in_run)} samples in the run, {len(in_slow)} slow):")
    print(f"  {'share of slow windows':>22} {'of the run':>10}  function")
    for frame, count in slow.most_common(12):
        share_slow = count / max(1, len(in_slow))
        share_all = overall[frame] / max(1, len(in_run))
        print(f"  {share_slow:22.1%} {share_all:10.1%}  {frame}")


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
