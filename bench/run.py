"""Load benchmark: the product against its peers in ../shared, on PostgreSQL.

    .venv/bin/pip install -e '.[test,bench]'
    .venv/bin/python -m bench.run                              # the product alone, as deployed
    .venv/bin/python -m bench.run --deployed --floor --raw --sketch  # the docs' table
    .venv/bin/python -m bench.run --bare --redis redis://127.0.0.1:6379/0  # limits+metrics cost
    .venv/bin/python -m bench.run --profile bare --floor       # the product without them
    git worktree add /tmp/before HEAD~3 && .venv/bin/python -m bench.run --before /tmp/before

The product runs in a named profile (`--profile`): `deployed` (the default) as a fleet runs
it, rate limits counted in memory (in Redis with --redis) but never reached, metrics on
behind a token, the access log on; `bare` with limits and metrics off. `--bare` adds the
bare product beside it, `--before` an earlier checkout in the product's profile. The peers:
idiomatic async FastAPI (`--floor`), the raw-ASGI ceiling (`--raw`) and the seed's sketch
(`--sketch`). Each target is one uvicorn worker on a database of its own, seeded with
100 users x 20 tasks plus one user with 10,000. Cells run in rounds; within a round the
targets take turns on each cell, so that drift on the machine hits all of them alike. The
table reports medians over rounds of requests/s, p50/p99 latency and the server's CPU time
per request.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bench.loadgen import Outcome, run_load
from bench.report import save, table
from bench.targets import (
    PROFILES,
    Server,
    Target,
    bare_product,
    baseline,
    describe,
    earlier_product,
    floor,
    product,
    reference,
)
from bench.workloads import pickers, seed, tokens
from tests.support.databases import recreate_database

REPO = Path(__file__).resolve().parents[1]
SECRET = "bench-secret-0123456789abcdef0123456789abcdef"
WORKLOADS = ["list", "get", "create", "create keyed", "toggle", "update", "mix", "list 10k"]


def main() -> None:
    args = _arguments()
    targets = [product(REPO, args.redis, args.profile)]
    if args.bare:
        targets.append(bare_product(REPO))
    if args.before:
        targets.append(earlier_product(args.before, args.redis, args.profile))
    if args.floor:
        targets.append(floor(args.shared))
    if args.sketch:
        targets.append(baseline(args.shared))
    if args.raw:
        targets.append(reference(args.shared))
    servers = {t.name: _launch(t, args.database_url) for t in targets}
    results: dict[tuple[str, int, str], list[Outcome]] = {}
    try:
        for round_ in range(args.rounds):
            for workload in args.workloads:
                for connections in args.connections:
                    order = targets[round_ % len(targets) :] + targets[: round_ % len(targets)]
                    for target in order:
                        if target.name == "sketch" and connections > args.sketch_max_connections:
                            continue
                        outcome = _cell(servers[target.name], workload, connections, args)
                        results.setdefault((workload, connections, target.name), []).append(outcome)
                        print(
                            f"round {round_ + 1} {workload:>8} c={connections:<3} "
                            f"{target.name:>8}: {outcome.rate:8.0f} req/s, "
                            f"p99 {outcome.percentile(0.99) * 1000:7.1f} ms, "
                            f"CPU {outcome.cpu_ms_per_request:5.2f} ms/req, "
                            f"errors {outcome.failures}",
                            flush=True,
                        )
    finally:
        for server in servers.values():
            server.service.stop()
    print()
    for target in targets:
        if target.profile:  # the product, and the bare and earlier products beside it
            print(f"{target.name} profile: {describe(target.profile, _redis(target))}")
    print(table(results, args.workloads, args.connections, [t.name for t in targets]))
    profiles = {t.name: t.profile for t in targets if t.profile}
    print(f"\nraw results: {save(results, REPO / 'bench' / 'results', profiles)}")


def _redis(target: Target) -> str | None:
    return target.settings.get("REDIS_URL")


def _launch(target: Target, server_url: str) -> Server:
    url = recreate_database(target.database, server_url)
    service = target.start(server_url, SECRET)
    return Server(target, service, pickers(seed(url), tokens(SECRET)))


def _cell(server: Server, workload: str, connections: int, args: argparse.Namespace) -> Outcome:
    seconds = args.seconds if workload != "list 10k" else max(args.seconds, 3.0)
    pick = server.pickers[workload]
    outcome = run_load(
        "127.0.0.1",
        server.service.port,
        pick,
        connections,
        seconds,
        warmup=args.warmup,
        timeout=args.timeout,
        server_cpu=server.service.cpu_seconds,
    )
    if outcome.errors and server.service.process.poll() is None:
        server.service.stop()  # a stalled server (the sketch) must not poison the next cell
        server.service = server.target.start(args.database_url, SECRET)
    return outcome


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--database-url",
        default="postgresql://postgres@127.0.0.1:5432/postgres",
        help="a PostgreSQL server where bench_* databases may be created",
    )
    parser.add_argument(
        "--shared",
        type=Path,
        default=REPO.parent / "shared",
        help="folder holding baseline/ and reference/",
    )
    profile = parser.add_mutually_exclusive_group()
    profile.add_argument(
        "--profile",
        choices=list(PROFILES),
        default="deployed",
        help="the product's settings (default: deployed): deployed = rate limits counted in\n"
        "memory (in Redis with --redis), metrics on, access log on, as a fleet runs it;\n"
        "bare = limits and metrics off",
    )
    profile.add_argument(
        "--deployed",
        dest="profile",
        action="store_const",
        const="deployed",
        help="shorthand for --profile deployed: how docs/performance.md's table is measured",
    )
    parser.add_argument(
        "--before",
        type=Path,
        help="also run the product as checked out in this folder (a worktree of an earlier\n"
        "commit), in the product's profile",
    )
    parser.add_argument(
        "--bare",
        action="store_true",
        help="also run the product in the bare profile (limits and metrics off): their cost",
    )
    parser.add_argument(
        "--redis",
        metavar="REDIS_URL",
        help="count the product's rate limits in this Redis (default: in memory)",
    )
    parser.add_argument("--floor", action="store_true", help="also run idiomatic async FastAPI")
    parser.add_argument("--sketch", action="store_true", help="also run the seed's sketch")
    parser.add_argument("--raw", action="store_true", help="also run the raw-SQL reference")
    parser.add_argument(
        "--sketch-max-connections",
        type=int,
        default=10,
        help="the sketch stalls for minutes at 16+ in flight; skip it above this",
    )
    parser.add_argument("--workloads", nargs="+", default=WORKLOADS, choices=WORKLOADS)
    parser.add_argument("--connections", nargs="+", type=int, default=[1, 10, 64])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=4.0, help="measured time per cell")
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--timeout", type=float, default=10.0, help="per request")
    args = parser.parse_args()
    if args.bare and args.profile == "bare":
        parser.error("--bare beside --profile bare would compare the bare product with itself")
    if args.redis and args.profile == "bare":
        parser.error("--redis counts rate limits, which --profile bare turns off")
    return args


if __name__ == "__main__":
    main()
