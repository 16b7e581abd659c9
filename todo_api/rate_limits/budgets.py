"""Request budgets: how many reads and writes one user (or one client address) may send in a
window, counted in fixed windows: in each process's memory (`windows`), and, with REDIS_URL,
by the `limits` library in Redis, where every replica spends from the same count.

Asking Redis costs a round trip and a good part of a request's CPU (the docs' performance page).
So a process first counts each budget in its own memory, and asks Redis only once a budget is
past `LOCAL_SHARE` of its size here, handing over the requests it counted alone; from then on,
for that window, each request is counted in Redis. Users well within their budget (nearly all)
never cost a round trip; one who exceeds it is refused at the shared count, give or take what
each process counted alone (at most LOCAL_SHARE of the budget per process and window). In memory
alone a process still refuses at the full budget.

A limit protects the service; it must never take it down. When Redis cannot be reached, the
memory count alone decides (fail open, per process), one warning says so, and Redis is not asked
again for a few seconds, so that an outage costs no request more than one short timeout.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Literal

from limits import RateLimitItem
from limits.aio.storage import Storage
from limits.aio.strategies import FixedWindowRateLimiter
from limits.errors import StorageError

from todo_api.rate_limits.rates import rate_of
from todo_api.rate_limits.storages import redis_storage
from todo_api.rate_limits.windows import MemoryWindows

log = logging.getLogger("todo_api")

Kind = Literal["reads", "writes"]
REDIS_RETRY_SECONDS = 5.0  # after a failure, how long requests go through without asking
LOCAL_SHARE = 0.05  # of a budget, what a process spends before it asks the shared count


@dataclass(frozen=True, slots=True)
class Refusal:
    """Over the limit: when to come back, and what the limit is."""

    kind: Kind
    policy: str  # the RateLimit-Policy field
    retry_after_seconds: int
    rate: str  # e.g. "600 per 1 minute", for the problem's detail


class RateLimits:
    """Budgets per kind of request; `charge` spends one and says whether it was there."""

    def __init__(self, reads: str, writes: str, shared: Storage | None = None) -> None:
        self._memory = MemoryWindows()
        self._shared = None if shared is None else FixedWindowRateLimiter(shared)
        self._items: dict[Kind, RateLimitItem] = {}
        self.policies: dict[Kind, str] = {}
        rates: dict[Kind, str] = {"reads": reads, "writes": writes}
        for kind, rate in rates.items():
            if rate != "0":
                item = rate_of(rate)
                self._items[kind] = item
                self.policies[kind] = f'"{kind}";q={item.amount};w={item.get_expiry()}'
        self._not_asking_until = 0.0

    async def charge(self, kind: Kind, who: str) -> Refusal | None:
        """Spend one request of `kind` from `who`'s budget (`user:...`, `address:...`); a
        Refusal when it is spent, None when it was there or limits are off."""
        item = self._items.get(kind)
        if item is None:
            return None
        if not self._memory.hit(item, kind, who):
            return self._refusal_after(kind, item, self._memory.seconds_left(kind, who))
        if self._shared is None or time.monotonic() < self._not_asking_until:
            return None
        alone = self._memory.count(kind, who)
        alone_at_most = int(item.amount * LOCAL_SHARE)
        if alone <= alone_at_most:
            return None
        # Past its share: hand over what was counted alone, then count every request.
        handed = alone if alone == alone_at_most + 1 else 1
        try:
            if await self._shared.hit(item, kind, who, cost=handed):
                self._ask_again()
                return None
            return await self._shared_refusal(self._shared, item, kind, who)
        except StorageError as error:
            self._stop_asking(error)
            return None

    async def _shared_refusal(
        self, shared: FixedWindowRateLimiter, item: RateLimitItem, kind: Kind, who: str
    ) -> Refusal:
        stats = await shared.get_window_stats(item, kind, who)
        return self._refusal_after(kind, item, stats.reset_time - time.time())

    def _refusal_after(self, kind: Kind, item: RateLimitItem, seconds_left: float) -> Refusal:
        return Refusal(kind, self.policies[kind], max(1, math.ceil(seconds_left)), str(item))

    def _stop_asking(self, error: StorageError) -> None:
        if not self._not_asking_until:
            log.warning(
                "rate limits not shared: Redis failed (%s); each process counts alone "
                "until it answers",
                type(error.storage_error).__name__,
            )
        self._not_asking_until = time.monotonic() + REDIS_RETRY_SECONDS

    def _ask_again(self) -> None:
        if self._not_asking_until:
            log.info("rate limits shared again: Redis answers")
            self._not_asking_until = 0.0


async def rate_limits_for(
    reads: str, writes: str, redis_url: str | None
) -> AsyncIterator[RateLimits]:
    """The container's resource: counted in memory, and in Redis at `redis_url` if any."""
    async with AsyncExitStack() as stack:
        shared = (
            None if redis_url is None else await stack.enter_async_context(redis_storage(redis_url))
        )
        yield RateLimits(reads, writes, shared)
