"""Incremental sync in SQL, by name: tasks by the stamp of their last write, tombstones by
their deletion's (both set by triggers, migration 0003), the stamp the next sync starts from,
and the purge of what is too old to keep (`core.syncing` holds the statements)."""

from __future__ import annotations

from typing import Final

# One snapshot for the horizon and both reads.
POSTGRES_SNAPSHOT: Final = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
HORIZON: Final = "horizon"  # the next sync's stamp, and the stamps purged so far
CHANGED: Final = "changed since"
DELETED: Final = "deleted since"
LOCK_PURGED_OWNERS: Final = "lock purged owners"
ADVANCE_PURGED: Final = "advance purged"
PURGE_TOMBSTONES: Final = "purge tombstones"
