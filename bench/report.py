"""The benchmark's verdict: a Markdown table of medians over rounds, and the raw numbers."""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

from bench.loadgen import Outcome

Results = dict[tuple[str, int, str], list[Outcome]]


def table(results: Results, workloads: list[str], connections: list[int], names: list[str]) -> str:
    """Product rate, p50, p99 and failures per cell; ratios to the sketch and the raw reference."""
    head = "| workload | conns | product req/s | p50 ms | p99 ms | errors |"
    rule = "|---|---:|---:|---:|---:|---:|"
    if "sketch" in names:
        head += " sketch req/s | x sketch |"
        rule += "---:|---:|"
    if "raw" in names:
        head += " raw req/s | % of raw |"
        rule += "---:|---:|"
    lines = [head, rule]
    for workload in workloads:
        for conns in connections:
            mine = results.get((workload, conns, "product"), [])
            if mine:
                lines.append(_row(results, workload, conns, mine, names))
    return "\n".join(lines)


def _row(results: Results, workload: str, conns: int, mine: list[Outcome], names: list[str]) -> str:
    rate = statistics.median(o.rate for o in mine)
    p50 = statistics.median(o.percentile(0.5) for o in mine) * 1000
    p99 = statistics.median(o.percentile(0.99) for o in mine) * 1000
    errors = sum(o.failures for o in mine)
    row = f"| {workload} | {conns} | {rate:,.0f} | {p50:.2f} | {p99:.2f} | {errors} |"
    for name, show in (("sketch", lambda r: f"{r:.1f}x"), ("raw", lambda r: f"{r:.0%}")):
        if name not in names:
            continue
        theirs = results.get((workload, conns, name))
        if not theirs:
            row += " not run | |"
            continue
        other = statistics.median(o.rate for o in theirs)
        row += f" {other:,.0f} | {show(rate / other) if other else 'stalled'} |"
    return row


def save(results: Results, folder: Path) -> Path:
    """Every round's numbers as JSON, for whoever wants more than medians."""
    folder.mkdir(exist_ok=True)
    path = folder / time.strftime("%Y%m%d-%H%M%S.json")
    cells = [
        {
            "workload": workload,
            "connections": conns,
            "target": target,
            "rates": [o.rate for o in outcomes],
            "p50_ms": [o.percentile(0.5) * 1000 for o in outcomes],
            "p99_ms": [o.percentile(0.99) * 1000 for o in outcomes],
            "failures": [o.failures for o in outcomes],
            "statuses": [o.statuses for o in outcomes],
        }
        for (workload, conns, target), outcomes in results.items()
    ]
    path.write_text(json.dumps(cells, indent=1))
    return path
