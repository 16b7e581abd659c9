"""What `todo-api serve` does for metrics before uvicorn starts any worker (METRICS=true).

Every worker counts in files of its own, in PROMETHEUS_MULTIPROC_DIR: a fresh temporary
directory, removed at exit, unless the operator set one (then it is theirs to empty between
runs, as prometheus_client asks). A scrape adds up every worker's files, so one scrape sees
the whole server, however many workers there are and whichever answers.

METRICS_PORT is served by this process (uvicorn's supervisor with `--workers N`), by a thread
of its own: it binds the port once, before any worker starts (a port in use fails the start,
in one line), and keeps serving while workers stop, crash and are replaced. Workers flush what
they counted every second, so a scrape is at most that far behind. The port listens on the
API's `--host`: the loopback interface by default; with `--host 0.0.0.0` (a container)
wherever the API does, for a scraper on another host. Keep it out of what the load balancer
publishes. (An app run by other means, `uvicorn todo_api.main:app`, serves no METRICS_PORT.)
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

from todo_api.settings import Settings

MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"


@contextmanager
def metrics_for_workers(settings: Settings, host: str) -> Iterator[None]:
    """Around uvicorn's run: the directory the workers count in, and METRICS_PORT served."""
    if not settings.metrics:
        yield
        return
    with _counting_directory(), _served(settings.metrics_port, host):
        yield


@contextmanager
def _counting_directory() -> Iterator[None]:
    if os.environ.get(MULTIPROC_DIR):  # the operator's
        yield
        return
    made = tempfile.mkdtemp(prefix="todo-metrics-")
    os.environ[MULTIPROC_DIR] = made  # before prometheus_client is imported; workers inherit it

    def remove() -> None:
        os.environ.pop(MULTIPROC_DIR, None)
        shutil.rmtree(made, ignore_errors=True)

    with _also_at_sigterm(remove):
        try:
            yield
        finally:
            remove()


@contextmanager
def _also_at_sigterm(cleanup: Callable[[], None]) -> Iterator[None]:
    """With one worker, uvicorn ends by raising SIGTERM again once it has stopped, which ends
    the process without unwinding it: `cleanup` then runs in the signal's handler."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGTERM)
    restored = previous if previous is not None else signal.SIG_DFL

    def on_sigterm(signum: int, _: FrameType | None) -> None:
        cleanup()
        signal.signal(signum, restored)
        signal.raise_signal(signum)  # as uvicorn meant: the process ends by the signal

    signal.signal(signal.SIGTERM, on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, restored)


@contextmanager
def _served(port: int | None, host: str) -> Iterator[None]:
    if port is None:  # METRICS_TOKEN only: /metrics on the API's port
        yield
        return
    from prometheus_client import start_http_server

    from todo_api.scraping import multiprocess_registry

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
