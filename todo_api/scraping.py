"""What a scrape gets: this app's metrics, or, in multiprocess mode (`todo-api serve` with
METRICS on), every worker's, added up from PROMETHEUS_MULTIPROC_DIR at each scrape. Imported,
like todo_api.metrics, only once metrics are on."""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Iterable

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead

from todo_api.metrics import Metrics
from todo_api.metrics_port import MULTIPROC_DIR


def is_multiprocess() -> bool:
    return bool(os.environ.get(MULTIPROC_DIR))


def exposition(metrics: Metrics | None) -> bytes:
    """The text a scrape gets: every worker's metrics added up in multiprocess mode (workers
    that died without a goodbye no longer count in the gauges), else this app's."""
    if is_multiprocess():
        return generate_latest(multiprocess_registry())
    return generate_latest(metrics.registry) if metrics is not None else b""


def multiprocess_registry() -> CollectorRegistry:
    """Every worker's metrics, read from PROMETHEUS_MULTIPROC_DIR at each scrape."""
    registry = CollectorRegistry()
    registry.register(_Workers())
    return registry


class _Workers:
    def __init__(self) -> None:
        self._files = MultiProcessCollector(None)  # type: ignore[no-untyped-call]

    def collect(self) -> Iterable[Metric]:
        forget_dead_workers()
        metrics: Iterable[Metric] = self._files.collect()  # type: ignore[no-untyped-call]
        return metrics


_LIVE_GAUGE_FILE = re.compile(r"gauge_live\w+?_(\d+)\.db$")


def forget_dead_workers() -> None:
    """Drop the live gauges of worker processes that are gone (killed, crashed): a worker that
    stops cleanly does it itself (`worker_stopped`), uvicorn replaces one that does not."""
    for path in glob.glob(os.path.join(os.environ[MULTIPROC_DIR], "gauge_live*_*.db")):
        found = _LIVE_GAUGE_FILE.search(path)
        if found and not _alive(int(found[1])):
            mark_process_dead(int(found[1]))  # type: ignore[no-untyped-call]


def worker_stopped() -> None:
    """This process's live gauges stop counting (its counters and histograms still do)."""
    if is_multiprocess():
        mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True
