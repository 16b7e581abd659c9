"""Incremental sync: what changed in a user's tasks since the client last asked.

A store stamps every write (and keeps a tombstone for every deletion) with a value that
orders writes as they commit. The stamp a sync hands back must not run ahead of a write still
in flight: that write would commit with a smaller stamp than the client's cursor and be missed
for ever. Each store says how it avoids that (PostgreSQL: the oldest transaction still
running; SQLite and memory: writes are serialised, so a counter read under the same lock).

A cursor is a stamp, opaque to clients, tied (by a digest) to its owner; `0` is the first
sync. Tombstones are kept `SYNC_RETENTION` (30 days), and an owner's at most
`TOMBSTONES_PER_OWNER`, the oldest forgotten first; a cursor from before a tombstone it
could need was forgotten is refused (SyncExpired), since deletions made since then are no
longer known: the client starts again from a first sync. A bound reached by one owner
expires only that owner's cursors.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Final

from todo_core import cursors
from todo_core.errors import InvalidSyncCursor
from todo_core.tasks import Task

SYNC_RETENTION: Final = timedelta(days=30)
TOMBSTONES_PER_OWNER: Final = 10_000
FIRST_SYNC: Final = "0"
STAMP_MAX: Final = 2**63 - 1
SYNC_CURSOR_MAX: Final = 256


@dataclass(frozen=True, slots=True)
class Delta:
    """What a store answers: tasks written at or after a stamp (as they are now), the ids of
    tasks deleted since, and the stamp the next sync starts from."""

    tasks: list[Task]
    deleted: list[int]
    stamp: int


@dataclass(frozen=True, slots=True)
class Changes:
    """A sync's answer for the client: its next cursor instead of the raw stamp."""

    tasks: list[Task]
    deleted: list[int]
    cursor: str


def cursor_of(stamp: int, owner: str) -> str:
    return cursors.encode({"v": 1, "o": _owner_digest(owner), "s": stamp})


def stamp_of(cursor: object, owner: str) -> int:
    """The stamp a cursor stands for (0 for the first sync); InvalidSyncCursor if no sync of
    this owner handed it out."""
    if cursor == FIRST_SYNC:
        return 0
    try:
        document = cursors.decode(cursor, SYNC_CURSOR_MAX)
        stamp = document["s"]
        if document["v"] != 1 or document["o"] != _owner_digest(owner):
            raise ValueError
        if type(stamp) is not int or not 0 < stamp <= STAMP_MAX:
            raise ValueError
        return stamp
    except (ValueError, KeyError) as error:
        raise InvalidSyncCursor() from error


def _owner_digest(owner: str) -> str:
    return cursors.digest("sync\x00" + owner)
