"""Stream tickets: good once, for their user, for TICKET_SECONDS; kept as their digest only."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

from tests.support.redis import REDIS_HOST, REDIS_PORT, require_redis
from todo_api.http import tickets
from todo_api.http.tickets import TICKET_SECONDS, MemoryTickets, RedisTickets


def test_a_memory_ticket_is_good_once_and_until_it_expires(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = [1000.0]
    monkeypatch.setattr(tickets.time, "monotonic", lambda: now[0])
    kept = MemoryTickets()

    async def scenario() -> None:
        first = await kept.issue("alice")
        assert await kept.redeem(first) == "alice"
        assert await kept.redeem(first) is None  # used
        late = await kept.issue("alice")
        now[0] += TICKET_SECONDS + 0.001
        assert await kept.redeem(late) is None  # expired
        assert await kept.redeem("x" * 1000) is None  # no ticket of ours

    asyncio.run(scenario())


def test_a_redis_ticket_is_kept_as_its_digest_with_an_expiry() -> None:
    require_redis()

    async def scenario() -> None:
        client = Redis(host=REDIS_HOST, port=REDIS_PORT)
        try:
            kept = RedisTickets(client)
            ticket = await kept.issue("bob")
            key = tickets._key(ticket)
            assert ticket not in key  # the digest, not the ticket
            assert 0 < await client.ttl(key) <= TICKET_SECONDS
            assert await kept.redeem(ticket) == "bob"
            assert await client.exists(key) == 0
            assert await kept.redeem(ticket) is None
        finally:
            await client.aclose()

    asyncio.run(scenario())
