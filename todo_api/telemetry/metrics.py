"""The Prometheus metrics of one app: what each is called, labelled and bucketed by.

Imported only once METRICS is on, inside the process that serves (see `multiprocess`: the
import decides where values live). In multiprocess mode gauges are summed over the live
workers (`livesum`); a scrape adds up every worker's files (`scraping`).

What every request counts (its answer, its time, its token check, its database call) is kept
in plain dicts and added to the metrics by `flush()`, every second and before a scrape: in
multiprocess mode each Prometheus update is a locked write to a memory-mapped file, many times
what a dict update costs (the docs' performance page).
"""

from __future__ import annotations

from bisect import bisect_left
from typing import TypeVar

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from todo_adapters.observing import TOKEN_OUTCOMES, TokenOutcome
from todo_api.telemetry import histograms
from todo_api.telemetry.histograms import Timing

# Seconds: a remembered-token read answers in well under a millisecond, a list of 10,000
# tasks in tens of milliseconds, a call that times out in 10 s.
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
K = TypeVar("K")
V = TypeVar("V")


class Metrics:
    """Every metric the app keeps, in a registry of its own (an app started again in the same
    process starts afresh). Counting and flushing happen on the event loop's thread."""

    def __init__(self) -> None:
        self.registry = registry = CollectorRegistry(auto_describe=True)

        def counter(name: str, about: str, *labels: str) -> Counter:
            return Counter(name, about, labels, registry=registry)

        def histogram(name: str, about: str, *labels: str) -> Histogram:
            return Histogram(name, about, labels, buckets=BUCKETS, registry=registry)

        def gauge(name: str, about: str, *labels: str) -> Gauge:
            return Gauge(name, about, labels, multiprocess_mode="livesum", registry=registry)

        about = "Requests answered, by route template, method and status"
        self._requests = counter("todo_http_requests", about, "route", "method", "status")
        about = "Time to answer a request, by route template and method"
        self._latency = histogram("todo_http_request_duration_seconds", about, "route", "method")
        about = "503 problems answered, by their code"
        self._unavailable = counter("todo_http_unavailable", about, "code")
        about = "Time of a call to the task store, by operation, failures included"
        self._calls = histogram("todo_db_call_duration_seconds", about, "operation")
        about = "Connections of the PostgreSQL pool, in use or idle"
        pool = gauge("todo_db_pool_connections", about, "state")
        self.pool_in_use, self.pool_idle = pool.labels("in_use"), pool.labels("idle")
        about = "Requests waiting for a connection of the PostgreSQL pool"
        self.pool_waiting = gauge("todo_db_pool_waiting", about)
        about = "Bearer token checks, by outcome (remembered: answered from memory)"
        self._tokens = counter("todo_token_checks", about, "outcome")
        about = "Fetches of the auth server's key set (JWKS), by outcome"
        fetches = counter("todo_jwks_fetches", about, "outcome")
        self.key_fetched, self.key_fetch_failed = fetches.labels("ok"), fetches.labels("failed")
        about = "Requests refused with 429, by kind of budget"
        self._limited = counter("todo_rate_limited", about, "kind")
        for kind in ("reads", "writes"):
            self._limited.labels(kind)  # shown at 0 from the start
        for outcome in TOKEN_OUTCOMES:
            self._tokens.labels(outcome)
        self._requests_due: dict[tuple[str, str, int], int] = {}
        self._latency_due: dict[tuple[str, str], Timing] = {}
        self._calls_due: dict[str, Timing] = {}
        self._tokens_due: dict[str, int] = {}

    def request(self, route: str, method: str, status: int, seconds: float) -> None:
        due, key = self._requests_due, (route, method, status)
        due[key] = due.get(key, 0) + 1
        _timed(self._latency_due, (route, method), seconds)

    def database_call(self, operation: str, seconds: float) -> None:
        _timed(self._calls_due, operation, seconds)

    def token_checked(self, outcome: TokenOutcome) -> None:
        self._tokens_due[outcome] = self._tokens_due.get(outcome, 0) + 1

    def flush(self) -> None:
        """Add what was counted since the last flush to the metrics."""
        for key, count in _taken(self._requests_due):
            self._requests.labels(*key).inc(count)
        for outcome, count in _taken(self._tokens_due):
            self._tokens.labels(outcome).inc(count)
        for route_method, timing in _taken(self._latency_due):
            histograms.add(self._latency.labels(*route_method), timing)
        for operation, timing in _taken(self._calls_due):
            histograms.add(self._calls.labels(operation), timing)

    # Rare events: counted at once.

    def unavailable(self, code: str) -> None:
        self._unavailable.labels(code).inc()

    def rate_limited(self, kind: str) -> None:
        self._limited.labels(kind).inc()


def _timed(due: dict[K, Timing], key: K, seconds: float) -> None:
    timing = due.get(key)
    if timing is None:
        timing = due[key] = [0.0] * (len(BUCKETS) + 2)
    timing[0] += seconds
    timing[1 + bisect_left(BUCKETS, seconds)] += 1  # the first bucket with le >= seconds


def _taken(due: dict[K, V]) -> list[tuple[K, V]]:
    taken = list(due.items())
    due.clear()
    return taken
