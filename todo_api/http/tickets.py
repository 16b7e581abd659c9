"""Single-use stream tickets, for a browser's native `EventSource`, which cannot send a header:
the page asks for a ticket with its bearer token and opens the stream with `?ticket=`, so a
token never travels in a URL.

A ticket is 256 random bits, good once, for its user, for `TICKET_SECONDS`; it is kept (as its
SHA-256 only) in Redis when REDIS_URL is set, so any replica redeems it, else in the process.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import TYPE_CHECKING, Protocol

from todo_core.errors import TokenCheckUnavailable

if TYPE_CHECKING:
    from redis.asyncio import Redis

TICKET_SECONDS = 60
TICKET_MAX = 128  # longer is no ticket of ours: refused without a lookup
_PREFIX = "todo-ticket:"


class Tickets(Protocol):
    async def issue(self, owner: str) -> str: ...

    async def redeem(self, ticket: str) -> str | None:
        """The ticket's user, the first time only and in time; else None."""
        ...


def _key(ticket: str) -> str:
    return _PREFIX + hashlib.sha256(ticket.encode()).hexdigest()


class MemoryTickets:
    """The tickets of one process (no REDIS_URL): only this replica redeems them."""

    def __init__(self) -> None:
        self._owners: dict[str, tuple[str, float]] = {}

    async def issue(self, owner: str) -> str:
        now = time.monotonic()
        self._owners = {k: v for k, v in self._owners.items() if v[1] > now}  # sweep
        ticket = secrets.token_urlsafe(32)
        self._owners[_key(ticket)] = (owner, now + TICKET_SECONDS)
        return ticket

    async def redeem(self, ticket: str) -> str | None:
        if len(ticket) > TICKET_MAX:
            return None
        owner, until = self._owners.pop(_key(ticket), ("", 0.0))
        return owner if until > time.monotonic() else None


class RedisTickets:
    """Tickets every replica redeems: SET with an expiry, then GETDEL (once, atomically).
    Redis away: TokenCheckUnavailable (503 with Retry-After), never a 500."""

    def __init__(self, client: Redis) -> None:
        from redis.exceptions import RedisError

        self._client = client
        self._failures = (RedisError, OSError)

    async def issue(self, owner: str) -> str:
        ticket = secrets.token_urlsafe(32)
        try:
            await self._client.set(_key(ticket), owner, ex=TICKET_SECONDS)
        except self._failures as error:
            raise TokenCheckUnavailable("stream tickets cannot be kept now") from error
        return ticket

    async def redeem(self, ticket: str) -> str | None:
        if len(ticket) > TICKET_MAX:
            return None
        try:
            owner = await self._client.getdel(_key(ticket))
        except self._failures as error:
            raise TokenCheckUnavailable("stream tickets cannot be checked now") from error
        return owner.decode() if isinstance(owner, bytes) else owner
