"""Prometheus' multiprocess mode, as `todo-api serve` runs it: every worker counts in files of
its own in PROMETHEUS_MULTIPROC_DIR, and a scrape adds them up.

prometheus_client decides at its import whether values live in this process or in that
directory's files, so this module never imports it before the directory is set. Forgetting a
worker that died without a goodbye needs its pid, which only the names of its files hold
(`gauge_live<mode>_<pid>.db`): that reading of prometheus_client's file names is the one use
of its internals here, held by tests/unit/test_library_internals.py and bounded in
pyproject.toml.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"
_LIVE_GAUGE_FILE = re.compile(r"gauge_live\w+?_(\d+)\.db$")


def is_multiprocess() -> bool:
    return bool(os.environ.get(MULTIPROC_DIR))


@contextmanager
def counting_directory() -> Iterator[None]:
    """PROMETHEUS_MULTIPROC_DIR for the workers about to start: the operator's, or a fresh
    temporary one, removed at exit (at SIGTERM too)."""
    if is_multiprocess():  # the operator's: theirs to empty between runs
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


def forget_dead_workers() -> None:
    """Drop the live gauges of worker processes that are gone (killed, crashed): a worker that
    stops cleanly does it itself (`worker_stopped`), uvicorn replaces one that does not."""
    from prometheus_client.multiprocess import mark_process_dead

    for path in glob.glob(os.path.join(os.environ[MULTIPROC_DIR], "gauge_live*_*.db")):
        found = _LIVE_GAUGE_FILE.search(path)
        if found and not _alive(int(found[1])):
            mark_process_dead(int(found[1]))  # type: ignore[no-untyped-call]


def worker_stopped() -> None:
    """This process's live gauges stop counting (its counters and histograms still do)."""
    if is_multiprocess():
        from prometheus_client.multiprocess import mark_process_dead

        mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


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
