"""Retried writes and incremental sync against a real server on real PostgreSQL: many copies
of one keyed create make one task; a create that timed out and is retried with its key makes
one task; a client syncing while others write ends with exactly the server's tasks."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx2
import psycopg
import pytest

from tests.support.clients import api_client, finished, fresh_user
from tests.support.servers import clean_env, start_server, stop
from tests.support.tokens import SECRET

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def impatient_server(postgres_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server that gives each database call 1 s: a blocked write times out quickly."""
    cwd: Path = tmp_path_factory.mktemp("impatient")
    env = clean_env(DATABASE_URL=postgres_url, BETTER_AUTH_SECRET=SECRET)
    process, base = start_server(cwd, {**env, "DB_CALL_TIMEOUT_SECONDS": "1"})
    yield base
    stop(process)


def test_fifty_parallel_creates_with_one_key_make_one_task(
    pg_server: str, token_for: Callable[..., str]
) -> None:
    user = fresh_user()

    async def scenario() -> tuple[list[httpx2.Response], list[dict[str, object]]]:
        async with api_client(pg_server, token_for(user)) as http:
            tasks = f"/api/{user}/tasks"
            key = {"Idempotency-Key": str(uuid.uuid4())}
            body = {"title": "pay the rent"}
            replies = await asyncio.gather(
                *(http.post(tasks, json=body, headers=key) for _ in range(50))
            )
            return list(replies), (await http.get(tasks)).json()

    replies, listed = finished(scenario(), 90)
    assert len(listed) == 1
    created = [r for r in replies if r.status_code == 201]
    assert sorted({r.status_code for r in replies} - {201}) in ([], [409])
    assert [r.json() for r in created] == listed * len(created)
    assert [r.headers.get("idempotent-replayed") for r in created].count(None) == 1
    for refused in (r for r in replies if r.status_code == 409):
        assert refused.json()["code"] == "idempotency_key_in_use"
        assert refused.headers["retry-after"] == "1"


def test_a_create_that_timed_out_retried_with_its_key_makes_one_task(
    impatient_server: str, postgres_url: str, token_for: Callable[..., str]
) -> None:
    """The case keys exist for: the client got 503 storage_timeout (the create may or may not
    have happened) and retries with the same key until it gets an answer."""
    user = fresh_user()

    async def scenario() -> tuple[httpx2.Response, httpx2.Response, list[dict[str, object]]]:
        async with api_client(impatient_server, token_for(user)) as http:
            tasks = f"/api/{user}/tasks"
            key = {"Idempotency-Key": "create-once"}
            body = {"title": "exactly once"}
            with psycopg.connect(postgres_url) as blocker:
                blocker.execute("LOCK TABLE tasks IN SHARE MODE")  # inserts wait for it
                first = await http.post(tasks, json=body, headers=key)
                blocker.rollback()
            retried = await http.post(tasks, json=body, headers=key)
            for _ in range(50):  # 409 while the first statement still runs
                if retried.status_code != 409:
                    break
                await asyncio.sleep(0.1)
                retried = await http.post(tasks, json=body, headers=key)
            return first, retried, (await http.get(tasks)).json()

    first, retried, listed = finished(scenario(), 90)
    assert first.status_code == 503
    assert first.json()["code"] == "storage_timeout"
    assert retried.status_code == 201, retried.text
    assert listed == [retried.json()]


def test_a_client_syncing_while_others_write_ends_with_the_servers_tasks(
    pg_server: str, token_for: Callable[..., str]
) -> None:
    user = fresh_user()

    async def scenario() -> tuple[dict[int, dict[str, object]], list[dict[str, object]], int]:
        async with api_client(pg_server, token_for(user)) as http:
            tasks = f"/api/{user}/tasks"
            stop_reading = asyncio.Event()

            async def writer(seed: int) -> None:
                rng = random.Random(seed)
                mine: list[int] = []
                for n in range(40):
                    roll = rng.random()
                    if roll < 0.45 or not mine:
                        made = await http.post(tasks, json={"title": f"w{seed}-{n}"})
                        mine.append(made.json()["id"])
                    elif roll < 0.8:
                        await http.patch(f"{tasks}/{rng.choice(mine)}/complete")
                    else:
                        await http.delete(f"{tasks}/{mine.pop(rng.randrange(len(mine)))}")

            seen: dict[int, dict[str, object]] = {}
            cursor = "0"
            syncs = 0

            async def sync() -> None:
                nonlocal cursor, syncs
                response = await http.get(tasks, params={"changed_since": cursor})
                assert response.status_code == 200, response.text
                changes = response.json()
                for task in changes["tasks"]:
                    seen[task["id"]] = task
                for task_id in changes["deleted"]:
                    seen.pop(task_id, None)
                cursor = changes["cursor"]
                syncs += 1

            async def reader() -> None:
                while not stop_reading.is_set():
                    await sync()

            reading = asyncio.create_task(reader())
            await asyncio.gather(*(writer(seed) for seed in range(6)))
            stop_reading.set()
            await reading
            await sync()
            return seen, (await http.get(tasks)).json(), syncs

    seen, listed, syncs = finished(scenario(), 90)
    assert syncs > 3  # the reader did sync while the writers wrote
    assert seen == {task["id"]: task for task in listed}
