"""Pokes between replicas through Redis pub/sub: two apps on one PostgreSQL database, each
served on its own port, share a private Redis. A write on one pokes the streams of the other;
with Redis away the streams stay up, and once it is back what was written meanwhile is poked."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack, asynccontextmanager
from pathlib import Path

import httpx2
import pytest
from sqlalchemy import Engine

from tests.support.apps import settings_for_tests
from tests.support.clients import finished, fresh_user
from tests.support.events import EventStream
from tests.support.redis import PrivateRedis, private_redis
from tests.support.servers import serving_in_process
from tests.support.tokens import bearer, token_for
from todo_api import Container, create_app

pytestmark = pytest.mark.postgres


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[PrivateRedis]:
    with private_redis(tmp_path) as server:
        yield server


@pytest.fixture
def replicas(
    postgres_url: str, postgres_engine: Engine, redis_server: PrivateRedis
) -> Iterator[list[str]]:
    """Two replicas' base URLs: the same database, the same Redis, pokes through it."""
    with ExitStack() as stack:
        bases = []
        for _ in range(2):
            container = Container()
            container.settings.override(
                settings_for_tests(
                    database_url=postgres_url,
                    redis_url=redis_server.url,
                    events_backend="redis",
                    events_ping_seconds=0.5,
                )
            )
            bases.append(stack.enter_context(serving_in_process(create_app(container))))
        yield bases


def _client(base: str, user: str) -> httpx2.AsyncClient:
    return httpx2.AsyncClient(base_url=base, headers=bearer(token_for(user)), timeout=10)


@asynccontextmanager
async def _across(
    replicas: list[str], user: str
) -> AsyncIterator[tuple[httpx2.AsyncClient, httpx2.AsyncClient, EventStream]]:
    """`user`'s writer on the first replica, a reader on the second, and its open stream."""
    one, other = replicas
    async with (
        _client(one, user) as writer,
        _client(other, user) as reader,
        EventStream(reader, f"/api/{user}/events") as stream,
    ):
        yield writer, reader, stream


def test_a_write_on_one_replica_pokes_a_stream_on_the_other(replicas: list[str]) -> None:
    user = fresh_user()

    async def scenario() -> None:
        async with _across(replicas, user) as (writer, reader, stream):
            await asyncio.sleep(0.3)  # the stream is following
            for n in range(3):
                await writer.post(f"/api/{user}/tasks", json={"title": f"t{n}"})
                changed = await stream.next("changed", seconds=2)
                assert changed.id is not None
                pulled = await reader.get(
                    f"/api/{user}/tasks", params={"changed_since": changed.id}
                )
                assert pulled.json()["tasks"] == []  # the cursor is current

    finished(scenario())


def test_with_redis_away_streams_stay_up_and_nothing_is_missed_after(
    replicas: list[str], redis_server: PrivateRedis
) -> None:
    user = fresh_user()

    async def scenario() -> None:
        async with _across(replicas, user) as (writer, reader, stream):
            await asyncio.sleep(0.3)
            redis_server.stop()
            await asyncio.sleep(0.5)
            created = await writer.post(f"/api/{user}/tasks", json={"title": "meanwhile"})
            assert created.status_code == 201  # writes go on without Redis
            await stream.next("ping", seconds=2)  # the stream is still up
            redis_server.start()  # the same port
            changed = await stream.next("changed", seconds=15)  # listening again: poked
            synced = await reader.get(f"/api/{user}/tasks", params={"changed_since": "0"})
            assert [t["title"] for t in synced.json()["tasks"]] == ["meanwhile"]
            assert changed.id is not None

    finished(scenario())


def test_a_ticket_from_one_replica_opens_a_stream_on_another(replicas: list[str]) -> None:
    user = fresh_user()
    one, other = replicas

    async def scenario() -> None:
        async with (
            _client(one, user) as writer,
            httpx2.AsyncClient(base_url=other) as page,
            httpx2.AsyncClient(base_url=one) as page_on_one,
        ):
            ticket = (await writer.post(f"/api/{user}/events/ticket")).json()["ticket"]
            async with EventStream(page, f"/api/{user}/events?ticket={ticket}") as stream:
                assert stream.response is not None
                assert stream.response.status_code == 200
                await writer.post(f"/api/{user}/tasks", json={"title": "t"})
                await stream.next("changed", seconds=2)
            used = await page_on_one.get(f"/api/{user}/events?ticket={ticket}")
            assert used.status_code == 401  # redeemed on the other replica: gone everywhere

    finished(scenario())
