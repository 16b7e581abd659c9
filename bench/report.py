"""The benchmark's verdict: a Markdown table of medians over rounds, and the raw numbers."""

from __future__ import annotations

import json
import math
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from bench.loadgen import Outcome

Results = dict[tuple[str, int, str], list[Outcome]]
# As: CPU vs bare, CPU vs before, % of floor, % of raw, x sketch.
PEERS = ("bare", "before", "floor", "raw", "sketch")


def table(results: Results, workloads: list[str], connections: list[int], names: list[str]) -> str:
    """Per cell: the product's rate, latency, CPU per request and failures; each peer's rate and
    CPU per request, and how the product compares."""
    peers = [peer for peer in PEERS if peer in names]
    head = "| workload | conns | product req/s | p50 ms | p99 ms | CPU ms/req | errors |"
    rule = "|---|---:|---:|---:|---:|---:|---:|"
    for peer in peers:
        head += f" {peer} req/s | {peer} p99 ms | {peer} CPU ms/req | {_ratio_name(peer)} |"
        rule += "---:|---:|---:|---:|"
    lines = [head, rule]
    for workload in workloads:
        for conns in connections:
            mine = results.get((workload, conns, "product"), [])
            if mine:
                lines.append(_row(results, workload, conns, mine, peers))
    return "\n".join(lines)


def _row(results: Results, workload: str, conns: int, mine: list[Outcome], peers: list[str]) -> str:
    rate = _median(mine, lambda o: o.rate)
    errors = sum(o.failures for o in mine)
    row = (
        f"| {workload} | {conns} | {rate:,.0f} | {_ms(mine, 0.5)} | {_ms(mine, 0.99)} "
        f"| {_cpu(mine)} | {errors} |"
    )
    for peer in peers:
        theirs = results.get((workload, conns, peer))
        if not theirs:
            row += " not run | | | |"
            continue
        other = _median(theirs, lambda o: o.rate)
        # bare: the same product without limits and metrics, so what they cost in CPU;
        # before: an earlier commit of it, so what the change costs
        same_product = peer in ("bare", "before")
        compared = _extra_cpu(mine, theirs) if same_product else _compare(peer, rate, other)
        row += f" {other:,.0f} | {_ms(theirs, 0.99)} | {_cpu(theirs)} | {compared} |"
    return row


def _ratio_name(peer: str) -> str:
    if peer in ("bare", "before"):
        return f"CPU vs {peer}"
    return "x sketch" if peer == "sketch" else f"% of {peer}"


def _extra_cpu(mine: list[Outcome], theirs: list[Outcome]) -> str:
    cpu = _median(mine, lambda o: o.cpu_ms_per_request)
    other = _median(theirs, lambda o: o.cpu_ms_per_request)
    return "" if math.isnan(cpu) or not other else f"{cpu / other - 1:+.0%}"


def _compare(peer: str, rate: float, other: float) -> str:
    if not other:
        return "stalled"
    return f"{rate / other:.1f}x" if peer == "sketch" else f"{rate / other:.0%}"


def _median(outcomes: list[Outcome], value: Callable[[Outcome], float]) -> float:
    return statistics.median(value(o) for o in outcomes)


def _ms(outcomes: list[Outcome], q: float) -> str:
    return f"{_median(outcomes, lambda o: o.percentile(q)) * 1000:.2f}"


def _cpu(outcomes: list[Outcome]) -> str:
    cpu = _median(outcomes, lambda o: o.cpu_ms_per_request)
    return "" if math.isnan(cpu) else f"{cpu:.2f}"


def save(results: Results, folder: Path, profiles: dict[str, str] | None = None) -> Path:
    """Every round's numbers as JSON, for whoever wants more than medians; a cell of a target
    in `profiles` (the product's, by target name) says which profile it ran in."""
    profiles = profiles or {}
    folder.mkdir(exist_ok=True)
    path = folder / time.strftime("%Y%m%d-%H%M%S.json")
    cells = [
        {
            "workload": workload,
            "connections": conns,
            "target": target,
            **({"profile": profiles[target]} if target in profiles else {}),
            "rates": [o.rate for o in outcomes],
            "p50_ms": [o.percentile(0.5) * 1000 for o in outcomes],
            "p99_ms": [o.percentile(0.99) * 1000 for o in outcomes],
            "cpu_ms_per_request": [o.cpu_ms_per_request for o in outcomes],
            "failures": [o.failures for o in outcomes],
            "statuses": [o.statuses for o in outcomes],
        }
        for (workload, conns, target), outcomes in results.items()
    ]
    path.write_text(json.dumps(cells, indent=1))
    return path
