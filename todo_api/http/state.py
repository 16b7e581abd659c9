"""What every request of one app shares, built once by the container in the lifespan.

The lifespan hands it to Starlette as its state (`{"shared": Shared(...)}`), which each request
carries; routes and the dependency read it through `shared(request)`, typed, and never look
into the app or the container themselves.
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypedDict

from starlette.requests import Request

from todo_api.http.tickets import MemoryTickets, Tickets
from todo_api.rate_limits.budgets import RateLimits
from todo_api.telemetry.observing import NO_TELEMETRY, Telemetry
from todo_core.ports_async import AsyncTokenVerifier
from todo_core.service_async import AsyncTaskService


@dataclass(frozen=True, slots=True)
class StreamTiming:
    """How a change stream paces itself (EVENTS_PING_SECONDS, EVENTS_MAX_LIFETIME_SECONDS)."""

    ping_seconds: float = 20
    lifetime_seconds: float = 900


@dataclass(frozen=True, slots=True)
class Shared:
    tasks: AsyncTaskService
    tokens: AsyncTokenVerifier  # remembers good tokens; checks new ones off the event loop
    storage_probe: Callable[[], Awaitable[None]]  # raises when the task store is unreachable
    draining: threading.Event  # set at SIGTERM: not ready, still serving
    limits: RateLimits  # request budgets per user and per client address
    telemetry: Telemetry = NO_TELEMETRY  # metrics and traces, when configured
    streams: StreamTiming = StreamTiming()
    tickets: Tickets = field(default_factory=MemoryTickets)  # for EventSource's ?ticket=


class State(TypedDict):
    shared: Shared


class NotStarted(RuntimeError):
    """A request reached an app whose lifespan never ran: nothing it needs was built."""

    def __init__(self) -> None:
        super().__init__(
            "the app has not started (its lifespan never ran): serve it with uvicorn or "
            "`todo-api serve`, and in tests use `with TestClient(app) as client:`, not "
            "`TestClient(app)` alone"
        )


def shared(request: Request) -> Shared:
    try:
        found: Shared = request.state.shared
    except (AttributeError, KeyError):
        raise NotStarted() from None
    return found
