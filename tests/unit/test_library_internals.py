"""The places that read another library's undocumented parts, held to what we rely on, so
that an upgrade that changes them fails here (their upper bounds are in pyproject.toml).
prometheus_client's histogram internals are held by tests/api/test_metrics.py
(`test_counts_kept_between_flushes_add_up_as_if_observed_one_by_one`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

A_DEAD_WORKER = """
from prometheus_client import CollectorRegistry, Gauge
Gauge("todo_up", "-", multiprocess_mode="livesum", registry=CollectorRegistry()).set(5)
"""
A_SCRAPE = """
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from todo_api.telemetry.multiprocess import forget_dead_workers

def up():
    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    lines = generate_latest(registry).decode().splitlines()
    return [line for line in lines if line.startswith("todo_up ")]

print(up())
forget_dead_workers()
print(up())
"""


def test_a_dead_workers_live_gauges_are_forgotten_by_their_file_names(tmp_path: Path) -> None:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}

    def python(code: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    python(A_DEAD_WORKER)  # it exits without a goodbye: its pid is in its files' names only
    before, after = python(A_SCRAPE).splitlines()
    assert before == "['todo_up 5.0']"
    assert after == "[]"
