"""While the app runs with metrics on, every second: what requests counted is flushed into the
metrics, and the PostgreSQL pool's connections in use, idle and waited for are sampled
(psycopg_pool's `get_stats()`; SQLite has no pool of its own)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Protocol

from todo_api.resources.background import running
from todo_api.telemetry.observing import Telemetry

if TYPE_CHECKING:
    from todo_api.telemetry.metrics import Metrics

log = logging.getLogger("todo_api")
UPKEEP_SECONDS = 1.0


class PoolStats(Protocol):
    def __call__(self) -> Mapping[str, int]: ...


async def metrics_kept_up(telemetry: Telemetry, pool: PoolStats | None) -> AsyncIterator[None]:
    """The container's resource: the upkeep, from the app's start to its stop."""
    metrics = telemetry.metrics
    if metrics is None:
        yield
        return
    async with running(_upkeep(metrics, pool)):
        yield


async def _upkeep(metrics: Metrics, pool: PoolStats | None) -> None:
    """Forever; a failed round is logged and the next one tried (frozen counters, silently,
    would be worse than a gap)."""
    while True:
        try:
            if pool is not None:
                now = pool()
                size, idle = now.get("pool_size", 0), now.get("pool_available", 0)
                metrics.pool_in_use.set(size - idle)
                metrics.pool_idle.set(idle)
                metrics.pool_waiting.set(now.get("requests_waiting", 0))
            await asyncio.sleep(UPKEEP_SECONDS)
            metrics.flush()
        except Exception:
            log.exception("metrics upkeep failed; trying again in %g s", UPKEEP_SECONDS)
            await asyncio.sleep(UPKEEP_SECONDS)
