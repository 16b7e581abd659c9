"""Draining: on SIGTERM, say "not ready" at once and keep serving for a while, then stop.

A load balancer notices a replica going away only at its next health check. Had the process
stopped accepting at SIGTERM (uvicorn's own behaviour), the requests sent meanwhile would fail
(behind HAProxy, a rolling restart gave clients 503s: the docs' fleet page). With
`SHUTDOWN_DRAIN_SECONDS`, readiness turns 503 at the signal, requests are still served that
long, and only then does uvicorn's own shutdown (graceful, `SHUTDOWN_GRACE_SECONDS`) begin.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

log = logging.getLogger("todo_api")


@contextmanager
def drained_on_sigterm(draining: threading.Event, seconds: float) -> Iterator[None]:
    """While the app runs, SIGTERM sets `draining` (readiness reads it) and hands the signal
    on to the server's own handler `seconds` later; a second SIGTERM hands it on at once
    (SIGINT stays uvicorn's: at once). A no-op with 0 seconds, or off the main thread (tests
    drive the app in-process)."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return
    loop = asyncio.get_running_loop()
    server_handler = signal.getsignal(signal.SIGTERM)

    def hand_on(signum: int, frame: FrameType | None) -> None:
        if callable(server_handler):
            server_handler(signum, frame)

    def on_sigterm(signum: int, frame: FrameType | None) -> None:
        if draining.is_set():  # asked twice: stop now
            hand_on(signum, frame)
            return
        draining.set()
        log.info("SIGTERM: not ready any more; serving for %g s, then stopping", seconds)
        loop.call_soon_threadsafe(loop.call_later, seconds, hand_on, signum, None)

    signal.signal(signal.SIGTERM, on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, _as_handler(server_handler))


def _as_handler(handler: Any) -> Any:
    return handler if handler is not None else signal.SIG_DFL
