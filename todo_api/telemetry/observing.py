"""What requests and adapters report to: one Telemetry per app run, built in the lifespan (the
container's `telemetry` resource): requests reach it as `shared.telemetry`, the adapters as
their Observer (NO_OBSERVER when both are off: nothing is measured at all).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from time import perf_counter
from typing import TYPE_CHECKING, Any

from opentelemetry.trace import SpanKind, Tracer

from todo_adapters.observing import NO_OBSERVER, Observer, TokenOutcome
from todo_adapters.sql.urls import is_postgres
from todo_api.settings import Settings
from todo_api.telemetry.tracing import tracer_provider

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import SpanProcessor

    from todo_api.telemetry.metrics import Metrics

log = logging.getLogger("todo_api")


@dataclass(frozen=True, slots=True)
class Telemetry:
    """The app's metrics and tracer, either of them None when off; an Observer for adapters."""

    metrics: Metrics | None = None
    tracer: Tracer | None = None
    database: str = "sqlite"  # `db.system.name` of database spans

    @property
    def on(self) -> bool:
        return self.metrics is not None or self.tracer is not None

    def rate_limited(self, kind: str) -> None:
        """A request refused with 429 for its `kind` of budget (`reads` or `writes`)."""
        if self.metrics is not None:
            self.metrics.rate_limited(kind)

    def database_call(self, operation: str) -> AbstractContextManager[object]:
        return _DatabaseCall(self, operation)

    @contextmanager
    def key_fetch(self) -> Iterator[None]:
        span: AbstractContextManager[object] = contextlib.nullcontext()
        if self.tracer is not None:
            span = self.tracer.start_as_current_span("fetch signing keys", kind=SpanKind.CLIENT)
        with span:
            try:
                yield
            except BaseException:
                if self.metrics is not None:
                    self.metrics.key_fetch_failed.inc()
                raise
            if self.metrics is not None:
                self.metrics.key_fetched.inc()

    def token_checked(self, outcome: TokenOutcome) -> None:
        if self.metrics is not None:
            self.metrics.token_checked(outcome)


NO_TELEMETRY = Telemetry()


class _DatabaseCall:
    """Times one call to the task store and, with traces on, spans it. A class rather than a
    generator: it is on every request's path."""

    __slots__ = ("_operation", "_span", "_started", "_telemetry")

    def __init__(self, telemetry: Telemetry, operation: str) -> None:
        self._telemetry = telemetry
        self._operation = operation
        self._span: AbstractContextManager[object] | None = None

    def __enter__(self) -> None:
        tracer = self._telemetry.tracer
        if tracer is not None:
            operation = self._operation
            self._span = tracer.start_as_current_span(
                f"{operation} tasks",
                kind=SpanKind.CLIENT,
                attributes={
                    "db.system.name": self._telemetry.database,
                    "db.operation.name": operation,
                    "db.collection.name": "tasks",
                },
            )
            self._span.__enter__()
        self._started = perf_counter()

    def __exit__(self, *failure: Any) -> None:
        metrics = self._telemetry.metrics
        if metrics is not None:
            metrics.database_call(self._operation, perf_counter() - self._started)
        if self._span is not None:
            self._span.__exit__(*failure)  # records the failure, if any


def telemetry_for(settings: Settings, spans: SpanProcessor | None) -> Iterator[Telemetry]:
    """The container's resource: metrics when METRICS is on, traces to `spans` when there is
    a span processor (see `tracing`); at the end, spans are flushed and this worker's
    gauges stop counting."""
    metrics = None
    if settings.metrics:
        from todo_api.telemetry.metrics import Metrics  # not before: see .multiprocess
        from todo_api.telemetry.multiprocess import is_multiprocess

        metrics = Metrics()
        if settings.metrics_port is not None and not is_multiprocess():
            log.warning("METRICS_PORT is served by `todo-api serve`, which is not running this")
    provider = tracer_provider(spans) if spans is not None else None
    tracer = provider.get_tracer("todo_api") if provider is not None else None
    database = "postgresql" if is_postgres(settings.effective_database_url) else "sqlite"
    try:
        yield Telemetry(metrics, tracer, database)
    finally:
        if provider is not None:
            provider.shutdown()
        if metrics is not None:
            from todo_api.telemetry.multiprocess import worker_stopped

            metrics.flush()
            worker_stopped()


def observer_of(telemetry: Telemetry) -> Observer:
    return telemetry if telemetry.on else NO_OBSERVER
