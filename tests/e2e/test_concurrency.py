"""Concurrent requests against a real server on real PostgreSQL lose no write and never stall."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx2
import psycopg
import pytest

from tests.support.clients import api_client, finished, fresh_user

pytestmark = pytest.mark.postgres


def test_fifty_parallel_toggles_leave_exact_parity(
    pg_server: str, token_for: Callable[..., str]
) -> None:
    user = fresh_user()

    async def scenario() -> tuple[list[int], dict[str, object]]:
        async with api_client(pg_server, token_for(user)) as http:
            task = (await http.post(f"/api/{user}/tasks", json={"title": "flip"})).json()
            url = f"/api/{user}/tasks/{task['id']}"
            replies = await asyncio.gather(*(http.patch(url + "/complete") for _ in range(50)))
            final = (await http.get(url)).json()
            return [r.status_code for r in replies], final

    statuses, final = finished(scenario())
    assert statuses == [200] * 50
    assert final["completed"] is False  # 50 flips from False


def test_a_hundred_parallel_creates_make_exactly_a_hundred_tasks(
    pg_server: str, token_for: Callable[..., str]
) -> None:
    user = fresh_user()

    async def scenario() -> tuple[list[int], list[dict[str, object]]]:
        async with api_client(pg_server, token_for(user)) as http:
            replies = await asyncio.gather(
                *(http.post(f"/api/{user}/tasks", json={"title": f"t{n}"}) for n in range(100))
            )
            listed = (await http.get(f"/api/{user}/tasks")).json()
            return [r.status_code for r in replies], listed

    statuses, listed = finished(scenario())
    assert statuses == [201] * 100
    assert len(listed) == 100
    assert sorted(t["title"] for t in listed) == sorted(f"t{n}" for n in range(100))


def test_parallel_puts_to_different_fields_both_take_effect(
    pg_server: str, token_for: Callable[..., str]
) -> None:
    user = fresh_user()

    async def scenario() -> list[tuple[dict[str, object], int]]:
        async with api_client(pg_server, token_for(user)) as http:
            task = (await http.post(f"/api/{user}/tasks", json={"title": "t"})).json()
            url = f"/api/{user}/tasks/{task['id']}"
            outcomes = []
            for round_ in range(20):
                a, b = await asyncio.gather(
                    http.put(url, json={"title": f"title {round_}"}),
                    http.put(url, json={"description": f"description {round_}"}),
                )
                assert (a.status_code, b.status_code) == (200, 200)
                outcomes.append(((await http.get(url)).json(), round_))
            return outcomes

    for final, round_ in finished(scenario()):
        assert (final["title"], final["description"]) == (
            f"title {round_}",
            f"description {round_}",
        )


def test_sixty_four_requests_in_flight_all_answer(
    pg_server: str, token_for: Callable[..., str]
) -> None:
    """The seed's sketch stops answering at 16+; here every one answers, and promptly."""
    user = fresh_user()

    async def scenario() -> list[int]:
        async with api_client(pg_server, token_for(user)) as http:
            await http.post(f"/api/{user}/tasks", json={"title": "t"})
            calls = [http.get(f"/api/{user}/tasks") for _ in range(48)]
            calls += [http.post(f"/api/{user}/tasks", json={"title": "x"}) for _ in range(16)]
            return [r.status_code for r in await asyncio.gather(*calls)]

    statuses = finished(scenario())
    assert statuses == [200] * 48 + [201] * 16


def test_a_100_kb_authorization_header_gets_a_clean_answer(pg_server: str) -> None:
    response = httpx2.get(
        pg_server + "/api/alice/tasks", headers={"Authorization": "Bearer " + "x" * 100_000}
    )
    assert response.status_code in (400, 401, 431)
    assert len(response.content) < 4096
    assert "xxxxxxxxxx" not in response.text


def test_of_twenty_parallel_conditional_puts_with_one_etag_exactly_one_lands(
    pg_server: str, token_for: Callable[..., str]
) -> None:
    user = fresh_user()

    async def scenario() -> tuple[list[int], dict[str, object], list[str]]:
        async with api_client(pg_server, token_for(user)) as http:
            created = await http.post(f"/api/{user}/tasks", json={"title": "contested"})
            url = created.headers["location"]
            etag = created.headers["etag"]
            titles = [f"tab {n}" for n in range(20)]
            replies = await asyncio.gather(
                *(http.put(url, json={"title": t}, headers={"If-Match": etag}) for t in titles)
            )
            final = (await http.get(url)).json()
            winners = [r.json()["title"] for r in replies if r.status_code == 200]
            return [r.status_code for r in replies], final, winners

    statuses, final, winners = finished(scenario())
    assert sorted(statuses) == [200] + [412] * 19
    assert final["title"] == winners[0]
    assert final["version"] == 2


def test_pages_while_writers_add_and_delete_repeat_nothing_and_miss_nothing_that_stayed(
    pg_server: str, token_for: Callable[..., str]
) -> None:
    user = fresh_user()

    async def scenario() -> tuple[list[int], set[int]]:
        async with api_client(pg_server, token_for(user)) as http:
            tasks = f"/api/{user}/tasks"
            made = [
                (await http.post(tasks, json={"title": f"t{n}"})).json()["id"] for n in range(60)
            ]
            stayed, doomed = set(made[::2]), made[1::2]
            stop = asyncio.Event()

            async def churn() -> None:
                while not stop.is_set() and doomed:
                    await http.delete(f"{tasks}/{doomed.pop()}")
                    await http.post(tasks, json={"title": "newcomer"})

            async def read() -> list[int]:
                seen: list[int] = []
                url: str | None = f"{tasks}?limit=5"
                while url:
                    response = await http.get(url)
                    assert response.status_code == 200, response.text
                    seen += [t["id"] for t in response.json()]
                    link = response.headers.get("link")
                    url = link[1 : link.index(">")] if link else None
                    await asyncio.sleep(0)
                stop.set()
                return seen

            seen, _ = await asyncio.gather(read(), churn())
            return seen, stayed

    seen, stayed = finished(scenario())
    assert len(seen) == len(set(seen))
    assert stayed <= set(seen)


def test_a_hundred_parallel_creates_one_short_of_the_task_limit_store_exactly_one(
    pg_server: str, postgres_url: str, token_for: Callable[..., str]
) -> None:
    """MAX_TASKS_PER_USER at its default (10,000): the user has 9,999 (written by SQL, and
    counted all the same), then sends 100 creates at once: one is stored, 99 are 409."""
    user = fresh_user()
    with psycopg.connect(postgres_url, autocommit=True) as db:
        db.execute(
            "INSERT INTO tasks (user_id, title, completed, created_at, updated_at, version)"
            " SELECT %s, 'old ' || n, false, now(), now(), 1 FROM generate_series(1, 9999) n",
            (user,),
        )

    async def scenario() -> tuple[list[int], list[str], int]:
        async with api_client(pg_server, token_for(user)) as http:
            replies = await asyncio.gather(
                *(http.post(f"/api/{user}/tasks", json={"title": f"new {n}"}) for n in range(100))
            )
            listed = (await http.get(f"/api/{user}/tasks")).json()
            codes = [r.json()["code"] for r in replies if r.status_code == 409]
            return [r.status_code for r in replies], codes, len(listed)

    statuses, codes, stored = finished(scenario())
    assert sorted(statuses) == [201] + [409] * 99
    assert codes == ["task_limit_reached"] * 99
    assert stored == 10_000
