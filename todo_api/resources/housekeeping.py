"""Housekeeping without a daemon: each replica forgets expired idempotency keys and sync
tombstones now and then, on its own event loop. The deletes are idempotent and indexed, so
replicas doing it at once cost little and need no coordination."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator

from todo_api.resources.background import running
from todo_core.errors import TodoError
from todo_core.service_async import AsyncTaskService

log = logging.getLogger(__name__)


async def purged_every(service: AsyncTaskService, seconds: float) -> AsyncIterator[None]:
    """Purge soon after start, then every `seconds` (jittered, so that replicas started together
    spread out); 0 turns it off. Stops with the app (the container's resource)."""
    if seconds <= 0:
        yield
        return
    async with running(_purging(service, seconds)):
        yield


async def _purging(service: AsyncTaskService, seconds: float) -> None:
    # The first run within 10 s of start (sooner, for a shorter interval), spread out.
    delay = min(seconds, 10) * random.uniform(0.1, 1)  # noqa: S311 (load spreading, not a secret)
    while True:
        await asyncio.sleep(delay)
        try:
            await service.purge()
        except TodoError as error:  # the store is away: next time
            log.warning("housekeeping skipped: %s", type(error).__name__)
        except Exception:  # a bug: say so loudly, and keep the loop (and the app) alive
            log.exception("housekeeping failed")
        delay = seconds * random.uniform(0.9, 1.1)  # noqa: S311
