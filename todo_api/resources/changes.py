"""What live updates need: the change notifier the services poke and the streams follow
(through Redis when the replicas share one, `Settings.pokes_through_redis`, else within this
process), and the stream tickets. redis-py is imported only with REDIS_URL."""

from __future__ import annotations

from collections.abc import AsyncIterator

from todo_adapters.memory import AsyncInMemoryChangeNotifier
from todo_api.http.tickets import MemoryTickets, RedisTickets, Tickets
from todo_api.settings import Settings
from todo_core.ports_async import AsyncChangeNotifier


async def change_notifier_for(settings: Settings) -> AsyncIterator[AsyncChangeNotifier]:
    """The container's resource: a Redis notifier's loops run while the app does."""
    if not settings.pokes_through_redis:
        yield AsyncInMemoryChangeNotifier()
        return
    from redis.asyncio import Redis

    from todo_adapters.changes.redis_pubsub import RedisChangeNotifier

    address = settings.redis_address
    assert address is not None  # Settings refuses EVENTS_BACKEND=redis without REDIS_URL
    client = Redis.from_url(address, socket_connect_timeout=1)
    try:
        async with RedisChangeNotifier(client).running() as notifier:
            yield notifier
    finally:
        await client.aclose()


async def stream_tickets_for(settings: Settings) -> AsyncIterator[Tickets]:
    """The container's resource: stream tickets in Redis when REDIS_URL is set (any replica
    redeems them), else in this process."""
    address = settings.redis_address
    if address is None:
        yield MemoryTickets()
        return
    from redis.asyncio import Redis

    client = Redis.from_url(address, socket_connect_timeout=1, socket_timeout=1)
    try:
        yield RedisTickets(client)
    finally:
        await client.aclose()
