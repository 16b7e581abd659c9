"""Writes a client can safely retry: an idempotency key names one request, the store keeps
its result in the same transaction as the write, and a repeat of that request gets the kept
result instead of a second write (Stripe's semantics, the IETF httpapi draft's header).

Only a write that happened is kept: a refused one (not found, changed meanwhile, invalid)
stores nothing, and its retry is simply tried again. A key is kept `KEY_TTL`, and an owner's
keys at most `KEYS_PER_OWNER`, the oldest forgotten first: what one account stores stays
bounded however fast it writes (a retry comes within seconds, not 10,000 writes later).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from todo_core.errors import IdempotencyKeyReused, InvalidIdempotencyKey
from todo_core.tasks import Task
from todo_core.writes import Write, fingerprint

KEY_MAX: Final = 255
KEY_TTL: Final = timedelta(hours=24)
KEYS_PER_OWNER: Final = 10_000
_KEY = re.compile(rf"[\x20-\x7e]{{1,{KEY_MAX}}}")


@dataclass(frozen=True, slots=True)
class IdempotencyKey:
    """A write's key, as a store needs it: the key, what it was asked for (a fingerprint of
    the write), when, and how old a kept key may be before it is forgotten."""

    key: str
    fingerprint: str
    at: datetime
    fresh_after: datetime  # a key kept from before this is as good as never used

    @classmethod
    def of(
        cls, key: object, write: Write, now: datetime, ttl: timedelta = KEY_TTL
    ) -> IdempotencyKey:
        return cls(check_key(key), fingerprint(write), now, now - ttl)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a store did with a keyed write.

    `done`: the write happened, now or when the key was first used (False: the task was not
    there, or not at the expected version: nothing happened and nothing was kept).
    `task`: the task as written (None after a removal). `replayed_for`: the fingerprint the
    key was first used with, when this is the kept result rather than a new write.
    """

    done: bool
    task: Task | None = None
    replayed_for: str | None = None


@dataclass(frozen=True, slots=True)
class Done:
    """A keyed write's result for the caller: the task as written (None after a removal), and
    whether this answer is the one kept from the key's first use."""

    task: Task | None
    replayed: bool = False


def check_key(key: object) -> str:
    """1 to 255 printable ASCII characters, as the draft's sf-string allows."""
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise InvalidIdempotencyKey(
            f"The idempotency key must be 1 to {KEY_MAX} printable ASCII characters"
        )
    return key


def replayed(key: IdempotencyKey, outcome: Outcome) -> Outcome:
    """The outcome, unless it is kept from another request with the same key."""
    if outcome.replayed_for is not None and outcome.replayed_for != key.fingerprint:
        raise IdempotencyKeyReused(
            "This idempotency key was used for another request; use a new key for this one"
        )
    return outcome
