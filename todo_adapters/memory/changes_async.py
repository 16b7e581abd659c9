"""Pokes within one process: the change notifier for tests, a single process, and
importers (`EVENTS_BACKEND=memory`). Replicas that must poke each other share Redis or
PostgreSQL instead (`todo_adapters.changes`)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from threading import Lock


class AsyncSlot:
    """One follower's pokes: a slot of one, so a burst of pokes wakes it once."""

    def __init__(self) -> None:
        self._poked = asyncio.Event()

    async def wait(self) -> None:
        await self._poked.wait()
        self._poked.clear()  # before the follower pulls: a later poke wakes it again

    def poke(self) -> None:
        self._poked.set()


class AsyncInMemoryChangeNotifier:
    """Each owner's followers in this process, poked by `publish`."""

    def __init__(self) -> None:
        self._followers: dict[str, set[AsyncSlot]] = {}
        self._lock = Lock()

    async def publish(self, owner: str) -> None:
        self.poke(owner)

    def poke(self, owner: str | None = None) -> None:
        """Poke `owner`'s followers here, or every follower (None): what a notifier does
        when its shared backend was away and it cannot know what it missed."""
        with self._lock:
            if owner is None:
                slots = [slot for followers in self._followers.values() for slot in followers]
            else:
                slots = list(self._followers.get(owner, ()))
        for slot in slots:
            slot.poke()

    @asynccontextmanager
    async def follow(self, owner: str) -> AsyncIterator[AsyncSlot]:
        slot = AsyncSlot()
        with self._lock:
            self._followers.setdefault(owner, set()).add(slot)
        try:
            yield slot
        finally:
            with self._lock:
                followers = self._followers[owner]
                followers.discard(slot)
                if not followers:
                    del self._followers[owner]

    def followed(self) -> set[str]:
        """The owners someone here follows (what a shared backend must listen for)."""
        with self._lock:
            return set(self._followers)
