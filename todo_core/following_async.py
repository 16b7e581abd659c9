"""Following an owner's changes: "poke, then pull" (Todoist's and Replicache's way).

A poke only says that the owner's tasks changed; what changed travels by the sync the
caller already has (`changed_since`). A poke lost or doubled costs a pull, never a change.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from todo_core.errors import SyncExpired
from todo_core.ports_async import AsyncChangeNotifier, AsyncTaskRepository
from todo_core.syncing import cursor_of, stamp_of


async def changes(
    tasks: AsyncTaskRepository,
    notifier: AsyncChangeNotifier | None,
    owner: str,
    since: str | None,
) -> AsyncIterator[str]:
    """Cursors, each saying that a sync from the caller's last cursor has something new, and
    itself a cursor to sync from: one at once when `since` (a cursor; none: now) is behind,
    or too old to sync from (that sync then says so), then one after each burst of writes.
    Where it starts is read now (a bad `since` is InvalidSyncCursor here); the first
    comparison comes once following has begun, so no write falls in between."""
    if notifier is None:
        raise RuntimeError("following changes needs a change notifier (the service's changes=)")
    stamp = await tasks.sync_stamp(owner) if since is None else stamp_of(since, owner)
    return _changes_from(tasks, notifier, owner, stamp)


async def _changes_from(
    tasks: AsyncTaskRepository, notifier: AsyncChangeNotifier, owner: str, stamp: int
) -> AsyncIterator[str]:
    async with notifier.follow(owner) as pokes:
        while True:
            try:
                delta = await tasks.changed_since(owner, stamp)
            except SyncExpired:
                stamp = await tasks.sync_stamp(owner)
                yield cursor_of(stamp, owner)
            else:
                stamp = delta.stamp  # lower than before, at times: it misses no later commit
                if delta.tasks or delta.deleted:
                    yield cursor_of(stamp, owner)
            await pokes.wait()
