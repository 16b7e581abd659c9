"""Request budgets: how many reads and writes one user (or one client address) may send in a
window, counted in Redis when REDIS_URL is set (every replica shares the count) and in memory
otherwise (per process), by the `limits` library.

A limit protects the service; it must never take it down. When Redis cannot be reached,
requests are let through (fail open) and one warning says so; Redis is not asked again for a
few seconds, so that an outage costs no request more than one short timeout.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Literal

from limits import RateLimitItem
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.storage.redis.redispy import RedispyBridge
from limits.aio.strategies import FixedWindowRateLimiter
from limits.errors import StorageError

from todo_api.rates import rate_of
from todo_api.settings import Settings

log = logging.getLogger("todo_api")

Kind = Literal["reads", "writes"]
REDIS_TIMEOUT_SECONDS = 0.25  # a request waits at most this long for a missing Redis
REDIS_RETRY_SECONDS = 5.0  # after a failure, how long requests go through without asking


@dataclass(frozen=True, slots=True)
class Refusal:
    """Over the limit: when to come back, and what the limit is."""

    kind: Kind
    policy: str  # the RateLimit-Policy field
    retry_after_seconds: int
    rate: str  # e.g. "600 per 1 minute", for the problem's detail


class RateLimits:
    """Budgets per kind of request; `charge` spends one and says whether it was there."""

    def __init__(self, storage: Storage, reads: str, writes: str) -> None:
        self._storage = storage
        self._limiter = FixedWindowRateLimiter(storage)
        self._items: dict[Kind, RateLimitItem] = {}
        self.policies: dict[Kind, str] = {}
        rates: dict[Kind, str] = {"reads": reads, "writes": writes}
        for kind, rate in rates.items():
            if rate != "0":
                item = rate_of(rate)
                self._items[kind] = item
                self.policies[kind] = f'"{kind}";q={item.amount};w={item.get_expiry()}'
        self._asleep_until = 0.0

    async def charge(self, kind: Kind, who: str) -> Refusal | None:
        """Spend one request of `kind` from `who`'s budget (`user:...`, `address:...`); a
        Refusal when it is spent. None too when limits are off or the counter is unreachable."""
        item = self._items.get(kind)
        if item is None or time.monotonic() < self._asleep_until:
            return None
        try:
            if await self._limiter.hit(item, kind, who):
                self._woke()
                return None
            stats = await self._limiter.get_window_stats(item, kind, who)
        except StorageError as error:
            self._fell_asleep(error)
            return None
        wait = max(1, math.ceil(stats.reset_time - time.time()))
        return Refusal(kind, self.policies[kind], wait, str(item))

    def _fell_asleep(self, error: StorageError) -> None:
        if not self._asleep_until:
            log.warning(
                "rate limits not enforced: their counter store failed (%s); requests go "
                "through until it answers",
                type(error.storage_error).__name__,
            )
        self._asleep_until = time.monotonic() + REDIS_RETRY_SECONDS

    def _woke(self) -> None:
        if self._asleep_until:
            log.info("rate limits enforced again: their counter store answers")
            self._asleep_until = 0.0


async def rate_limits_for(settings: Settings) -> AsyncIterator[RateLimits]:
    """The container's resource: counters in Redis (REDIS_URL) or in memory."""
    storage: Storage
    if settings.redis_url is not None:
        url = settings.redis_url.get_secret_value()
        storage = RedisStorage(
            "async+" + url,
            wrap_exceptions=True,
            implementation="redispy",
            key_prefix="todo-limits",
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
        )
    else:
        storage = MemoryStorage()
    try:
        yield RateLimits(storage, settings.rate_limit_reads, settings.rate_limit_writes)
    finally:
        await _close(storage)


async def _close(storage: Storage) -> None:
    """What `limits` leaves open: the Redis client's connections, the memory's expiry task."""
    if isinstance(storage, RedisStorage) and isinstance(storage.bridge, RedispyBridge):
        await storage.bridge.storage.aclose()
    elif isinstance(storage, MemoryStorage) and storage.timer is not None:
        storage.timer.cancel()
