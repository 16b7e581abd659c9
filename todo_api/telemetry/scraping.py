"""What a scrape gets: this app's metrics, or, in multiprocess mode (`todo-api serve` with
METRICS on), every worker's, added up from PROMETHEUS_MULTIPROC_DIR at each scrape. Imported,
like `metrics`, only once metrics are on."""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector

from todo_api.telemetry.metrics import Metrics
from todo_api.telemetry.multiprocess import forget_dead_workers, is_multiprocess


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
