"""Metrics of a real `todo-api serve --workers 2`: every worker counts in its own files, one
scrape (on METRICS_PORT, or on the API's port with METRICS_TOKEN) adds them all up, and the
directory they count in is gone when the server is. Workers flush their counts every second,
so a scrape may be up to a second behind."""

from __future__ import annotations

import os
import shutil
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from tests.support.metrics import METRICS_TOKEN, Samples, samples_of, value
from tests.support.servers import Server, clean_env, free_port
from tests.support.tokens import SECRET, auth, bearer

ROUTE = "/api/{user_id}/tasks"
BATCH = 40


def counted(samples: Samples) -> float:
    return value(samples, "todo_http_requests_total", route=ROUTE, method="GET", status="200")


def scraped(url: str, **headers: str) -> float:
    return counted(samples_of(httpx2.get(url, headers=headers, timeout=10).text))


def settles_at(expected: float, url: str, **headers: str) -> float:
    """What the scrape counts once every worker has flushed (within a few seconds)."""
    deadline = time.monotonic() + 5
    while (found := scraped(url, **headers)) != expected and time.monotonic() < deadline:
        time.sleep(0.2)
    return found


def per_worker(directory: Path, scratch: Path) -> dict[int, float]:
    """What each worker counted, read from its own file alone."""
    found = {}
    for counters in directory.glob("counter_*.db"):
        alone = scratch / counters.stem
        alone.mkdir(exist_ok=True)
        shutil.copy(counters, alone / counters.name)
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=str(alone))
        pid = int(counters.stem.split("_")[1])
        found[pid] = counted(samples_of(generate_latest(registry).decode()))
    return found


def test_a_scrape_adds_up_every_workers_requests(tmp_path: Path) -> None:
    metrics_port = free_port()
    temporary = tmp_path / "tmp"  # where `serve` makes PROMETHEUS_MULTIPROC_DIR
    temporary.mkdir()
    env = clean_env(
        BETTER_AUTH_SECRET=SECRET,
        METRICS="true",
        METRICS_TOKEN=METRICS_TOKEN,
        METRICS_PORT=str(metrics_port),
        TMPDIR=str(temporary),
    )
    server = Server(tmp_path, env, "--workers", "2")
    port = f"http://127.0.0.1:{metrics_port}/metrics"
    try:
        server.wait_ready()
        [directory] = temporary.glob("todo-metrics-*")
        url, headers = f"{server.base}/api/alice/tasks", auth("alice")

        def get(_: int) -> int:  # a connection per request: the workers share them out
            return httpx2.get(url, headers=headers, timeout=10).status_code

        sent, workers = 0, {}
        with ThreadPoolExecutor(8) as pool:
            while sent < 10 * BATCH and sum(1 for n in workers.values() if n) < 2:
                assert set(pool.map(get, range(BATCH))) == {200}
                sent += BATCH
                assert settles_at(sent, port) == sent
                workers = per_worker(directory, tmp_path)
        assert len(workers) == 2, workers
        assert all(workers.values()), workers  # both served some: the scrape added them up
        assert sum(workers.values()) == sent

        metrics = f"{server.base}/metrics"
        assert scraped(metrics, **bearer(METRICS_TOKEN)) == sent  # on the API's port too
        assert httpx2.get(metrics, timeout=10).status_code == 401

        # A worker killed outright: the port, served by the parent, still answers, and what
        # the dead worker counted still counts.
        os.kill(next(iter(workers)), signal.SIGKILL)
        assert scraped(port) == sent
    finally:
        server.stop()
    assert not list(temporary.glob("todo-metrics-*")), server.output  # removed at exit


def test_one_worker_serves_the_port_too_and_leaves_no_directory(tmp_path: Path) -> None:
    """With one worker uvicorn ends the process by raising SIGTERM again: the directory goes
    all the same."""
    metrics_port = free_port()
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = clean_env(
        BETTER_AUTH_SECRET=SECRET,
        METRICS="true",
        METRICS_PORT=str(metrics_port),
        TMPDIR=str(temporary),
    )
    server = Server(tmp_path, env)
    try:
        server.wait_ready()
        for _ in range(3):
            assert httpx2.get(f"{server.base}/api/alice/tasks", headers=auth("alice")).is_success
        assert settles_at(3, f"http://127.0.0.1:{metrics_port}/metrics") == 3
        assert httpx2.get(f"{server.base}/metrics").status_code == 404  # not on the API port
    finally:
        server.stop()
    assert not list(temporary.glob("todo-metrics-*")), server.output
