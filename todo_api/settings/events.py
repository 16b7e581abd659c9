"""Live updates: where pokes travel between replicas, and how long a stream lives."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from todo_api.settings.environment import EnvironmentSettings


class EventsSettings(EnvironmentSettings):
    # auto: Redis when REDIS_URL is set (every replica pokes every other), else this process.
    events_backend: Literal["auto", "memory", "redis"] = "auto"
    # A named event this often on an idle stream: under a proxy's idle timeout (often 60 s),
    # and what a page's watchdog listens for.
    events_ping_seconds: float = Field(default=20, gt=0, le=300)
    # Streams end after this long (clients reconnect), so they rebalance after a restart.
    events_max_lifetime_seconds: float = Field(default=900, gt=0)
