"""Each replica's housekeeping purges what has outlived its retention, on its own loop, and
only when it is on; shown on the in-memory store through the service, by its effect: a sync
cursor from before a purged deletion is refused."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import pytest

from todo_adapters.memory import AsyncInMemoryTaskRepository
from todo_api.resources.housekeeping import purged_every
from todo_core.errors import SyncExpired
from todo_core.service_async import AsyncTaskService


async def _an_old_deletion(interval_seconds: float) -> None:
    """A deletion 31 days old (by the service's clock) when housekeeping has run a while;
    then a sync from before it."""
    now = [datetime.now(UTC)]
    service = AsyncTaskService(AsyncInMemoryTaskRepository(), lambda: now[0])
    task = await service.add("alice", "done long ago")
    before = (await service.changes("alice", "0")).cursor
    await service.remove("alice", task.id)
    now[0] += timedelta(days=31)
    async with asynccontextmanager(purged_every)(service, interval_seconds):
        await asyncio.sleep(0.3)
    await service.changes("alice", before)


def test_housekeeping_purges_deletions_older_than_the_retention() -> None:
    with pytest.raises(SyncExpired):
        asyncio.run(_an_old_deletion(0.05))


def test_housekeeping_at_zero_is_off() -> None:
    asyncio.run(_an_old_deletion(0))  # nothing purged: the old cursor still works
