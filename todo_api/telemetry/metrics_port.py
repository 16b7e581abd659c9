"""What `todo-api serve` does for metrics before uvicorn starts any worker (METRICS=true).

Every worker counts in files of its own (`multiprocess`), so one scrape sees the whole server,
however many workers there are and whichever answers.

METRICS_PORT is served by this process (uvicorn's supervisor with `--workers N`), by a thread
of its own: it binds the port once, before any worker starts (a port in use fails the start,
in one line), and keeps serving while workers stop, crash and are replaced. Workers flush what
they counted every second, so a scrape is at most that far behind. The port listens on the
API's `--host`: the loopback interface by default; with `--host 0.0.0.0` (a container)
wherever the API does, for a scraper on another host. Keep it out of what the load balancer
publishes. (An app run by other means, `uvicorn todo_api.main:app`, serves no METRICS_PORT.)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from todo_api.telemetry.multiprocess import counting_directory


@contextmanager
def metrics_for_workers(metrics: bool, port: int | None, host: str) -> Iterator[None]:
    """Around uvicorn's run: the directory the workers count in, and METRICS_PORT served."""
    if not metrics:
        yield
        return
    with counting_directory(), _served(port, host):
        yield


@contextmanager
def _served(port: int | None, host: str) -> Iterator[None]:
    if port is None:  # METRICS_TOKEN only: /metrics on the API's port
        yield
        return
    from prometheus_client import start_http_server

    from todo_api.telemetry.scraping import multiprocess_registry

    try:
        server, thread = start_http_server(port, addr=host, registry=multiprocess_registry())
    except OSError as error:
        raise RuntimeError(f"METRICS_PORT {port} on {host}: {error.strerror}") from None
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
