# Generated from ports_async.py by tools/async_to_sync.py: do not edit; change
# ports_async.py, then run `python -m tools.async_to_sync`.
"""What the domain needs from the outside world, as structural types (adapters fit them by
shape and never inherit, as in cosmicpython's `chapter_07_noinheritance`).

Each port is a twin, as in psycopg, httpx and SQLAlchemy: the async ports are written once,
in `ports_async.py`, and `ports.py` is generated from them without `await` (`TaskRepository`
for `AsyncTaskRepository`), for code that has no event loop. Both promise exactly the same
behaviour; one contract suite holds every adapter of either flavour to it.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import datetime
from typing import Protocol

from todo_core.idempotency import IdempotencyKey, Outcome
from todo_core.listing import TaskQuery
from todo_core.planned_lists import TagCounts
from todo_core.principal import Principal
from todo_core.syncing import Delta
from todo_core.tasks import NewTask, Task, TaskChanges
from todo_core.writes import Write


class TaskRepository(Protocol):
    """Where tasks live. Every method is scoped by owner: another owner's task is never seen.

    Ids out of the 64-bit range are simply not found. Writes are atomic: two concurrent calls
    never lose each other's effect. An unreachable store raises StorageUnavailable (nothing
    happened) or StorageTimeout (a write may or may not have happened).
    """

    def list(self, owner: str, query: TaskQuery | None = None) -> list[Task]:
        """The owner's tasks, ordered by id; with a query, those it keeps, in its order,
        strictly after `query.after`, and at most `query.limit` plus one (the extra task only
        says that another page follows)."""
        ...

    def get(self, owner: str, task_id: int) -> Task | None: ...

    def tags(self, owner: str) -> TagCounts:
        """The owner's tags and how many of their tasks have each, ordered by the folded tag."""
        ...

    def add(self, owner: str, new: NewTask, now: datetime, limit: int | None = None) -> Task | None:
        """Store a new task, version 1, created (and updated) at `now`; None, storing nothing,
        when the owner has `limit` tasks already. Exact under concurrency: of N concurrent adds
        with one task short of the limit, one is stored."""
        ...

    def change(
        self,
        owner: str,
        task_id: int,
        changes: TaskChanges,
        now: datetime,
        expected: int | None = None,
    ) -> Task | None:
        """Set the fields in `changes`, `updated_at` to `now` and the next version, in one
        atomic step; only if the task is at version `expected`, when given (else None).
        Completing an open task sets `last_completed_at` to `now`, unless the changes set
        it. Changes that complete an open recurring task without setting its recurrence are
        not made (None): see `recurring.rolls`. Changes of `SCHEDULE` fields set all four."""
        ...

    def toggle(
        self, owner: str, task_id: int, now: datetime, expected: int | None = None
    ) -> Task | None:
        """Flip `completed` in one atomic step (no read-modify-write), as `change` does;
        completing sets `last_completed_at` to `now`. An open task with a recurrence is not
        flipped (None): completing it rolls it forward, which is the service's to work out."""
        ...

    def remove(self, owner: str, task_id: int, expected: int | None = None) -> bool:
        """Delete the task (only at version `expected`, when given); False when none was."""
        ...

    def write_once(self, owner: str, key: IdempotencyKey, write: Write) -> Outcome:
        """Apply `write` unless the owner's `key` was used since `key.fresh_after`: then
        apply nothing and answer with the outcome kept from that first use (`replayed_for`
        set). A write that happens is kept under the key in the same transaction; one that
        does not (`done` False) keeps nothing. An owner keeps a bounded number of keys
        (`KEYS_PER_OWNER` by default): the oldest are forgotten first. Raises
        IdempotencyKeyInUse when the key's first write is still running (stores that
        serialise writes simply wait for it)."""
        ...

    def kept(self, owner: str, key: IdempotencyKey) -> Outcome | None:
        """The outcome kept under the owner's `key` since `key.fresh_after` (`replayed_for`
        set), or None: what a write made against the stored task asks before it reads it,
        so that a retry replays rather than failing the read's checks."""
        ...

    def changed_since(self, owner: str, stamp: int) -> Delta:
        """The owner's tasks written at or after `stamp`, the ids of those deleted at or
        after it (none for stamp 0), and a stamp from which the next call misses no write
        that commits later. Raises SyncExpired when deletions after `stamp` were purged, or
        forgotten past the owner's bound on tombstones (`TOMBSTONES_PER_OWNER` by default)."""
        ...

    def sync_stamp(self, owner: str) -> int:
        """The stamp a sync started now would continue from (what `changed_since` answers
        with), read without reading any task: where a follower of the owner's changes starts."""
        ...

    def purge(self, keys_before: datetime, tombstones_before: datetime) -> None:
        """Forget idempotency keys and tombstones older than these (housekeeping)."""
        ...


class Pokes(Protocol):
    """One follower's pokes: a slot of one, so a burst of changes wakes it once."""

    def wait(self) -> None:
        """Return once the owner's tasks changed since the last return (or since following
        began)."""
        ...


class ChangeNotifier(Protocol):
    """Tells every follower of an owner's tasks, in this process and in every replica that
    shares the notifier's backend, that they changed: "poke, then pull". A poke carries no
    data: the follower pulls what changed (`changed_since`), so a poke lost or doubled costs
    nothing but a pull."""

    def publish(self, owner: str) -> None:
        """Poke the owner's followers: called once a write of their tasks has committed."""
        ...

    def follow(self, owner: str) -> AbstractContextManager[Pokes]:
        """The owner's pokes while the context is open; a notifier that lost its backend
        for a while pokes every follower once it is back (what it missed is unknown)."""
        ...


class TokenVerifier(Protocol):
    """Turns a bearer token into a Principal, or raises InvalidToken (TokenExpired when it
    was good and is now too old); TokenCheckUnavailable when it cannot decide (the signing
    keys cannot be fetched)."""

    def verify(self, token: str) -> Principal: ...


class Occurrences(Protocol):
    """A recurrence rule expanded (RFC 5545 RRULE, `planning.canonical_rule`'s subset), in
    naive wall time: the zone is the domain's business (`recurring`). Not async: expanding
    a rule is computation, not I/O."""

    def following(self, rule: str, start: datetime, moment: datetime) -> datetime | None:
        """The first occurrence of the series `rule` starts at `start` strictly after
        `moment`; None when there is none (COUNT or UNTIL used up, or none within a hundred
        years of `moment`: a rule that never occurs is not searched for ever)."""
        ...
