"""Pokes across replicas through Redis pub/sub: every process publishes its owners' pokes on
one channel and listens to it on one connection of its own, poking its local followers.

Publishing is coalesced: a write only marks its owner, and one flush at a time sends what
was marked meanwhile in one pipeline, so a burst of writes costs a round trip or a few, not
one each. A process whose listening connection dropped cannot know what it missed: once it
listens again, it pokes every local follower (each then pulls; a poke costs a pull, never a
change). While Redis is away, a process still pokes its own followers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from redis.asyncio import Redis
from redis.exceptions import RedisError

from todo_adapters.memory.changes_async import AsyncInMemoryChangeNotifier, AsyncSlot

log = logging.getLogger("todo_adapters.changes")
CHANNEL = "todo-changes"
RETRY_SECONDS = (0.1, 5.0)  # the first wait to listen again, and the longest


class RedisChangeNotifier:
    """An AsyncChangeNotifier over the Redis at `client`; `running` starts its two loops."""

    def __init__(self, client: Redis, channel: str = CHANNEL) -> None:
        self._client = client
        self._channel = channel
        self._local = AsyncInMemoryChangeNotifier()
        self._marked: set[str] = set()
        self._flush = asyncio.Event()
        self.listening = asyncio.Event()  # set while subscribed: what tests and probes wait for

    async def publish(self, owner: str) -> None:
        self._marked.add(owner)
        self._flush.set()

    def follow(self, owner: str) -> AbstractAsyncContextManager[AsyncSlot]:
        return self._local.follow(owner)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[RedisChangeNotifier]:
        loops = [asyncio.create_task(self._publishing()), asyncio.create_task(self._listening())]
        try:
            yield self
        finally:
            for loop in loops:
                loop.cancel()
            for loop in loops:
                with contextlib.suppress(asyncio.CancelledError):
                    await loop

    async def _publishing(self) -> None:
        while True:
            await self._flush.wait()
            self._flush.clear()
            owners, self._marked = self._marked, set()
            try:
                async with self._client.pipeline(transaction=False) as pipe:
                    for owner in owners:
                        pipe.publish(self._channel, owner)
                    await pipe.execute()
            except (RedisError, OSError) as error:
                log.warning("change pokes not published (Redis: %s)", type(error).__name__)
                for owner in owners:  # this process's followers hear of it at least
                    self._local.poke(owner)

    async def _listening(self) -> None:
        wait = RETRY_SECONDS[0]
        while True:
            try:
                async with self._client.pubsub(ignore_subscribe_messages=True) as pubsub:
                    await pubsub.subscribe(self._channel)
                    self.listening.set()
                    self._local.poke()  # whatever was missed while away: unknown
                    wait = RETRY_SECONDS[0]
                    async for message in pubsub.listen():
                        self._local.poke(message["data"].decode())
            except (RedisError, OSError) as error:
                self.listening.clear()
                log.warning(
                    "change pokes: Redis unreachable (%s); listening again in %.1f s",
                    type(error).__name__,
                    wait,
                )
                await asyncio.sleep(wait)
                wait = min(wait * 2, RETRY_SECONDS[1])
