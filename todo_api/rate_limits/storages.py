"""Where budgets are counted across replicas: Redis, reached through a connection pool of
our own, handed to `limits` as its documented `connection_pool`, and closed through
redis-py's public API; redis-py is imported only when REDIS_URL is set (a cold start would
pay for it otherwise). Each process's own counts are `windows`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from limits.aio.storage import RedisStorage

REDIS_TIMEOUT_SECONDS = 0.25  # a request waits at most this long for a missing Redis
KEY_PREFIX = "todo-limits"


@asynccontextmanager
async def redis_storage(url: str) -> AsyncIterator[RedisStorage]:
    """Counts in the Redis at `url`, failing fast (`REDIS_TIMEOUT_SECONDS`) when it is away;
    its connections closed at the end."""
    from redis.asyncio import ConnectionPool

    pool = ConnectionPool.from_url(
        url,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
    )
    try:
        yield RedisStorage(
            "async+" + url.replace("unix://", "redis+unix://", 1),  # limits' name for it
            wrap_exceptions=True,
            implementation="redispy",
            key_prefix=KEY_PREFIX,
            connection_pool=pool,  # type: ignore[arg-type]  # documented; typed as scalars
        )
    finally:
        await pool.aclose()
