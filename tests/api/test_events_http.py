"""The change stream over a real connection (the app on uvicorn, in memory): a write pokes
its owner's streams with a sync cursor, a page that is behind is poked at once, idle streams
ping, streams end after their lifetime, and bad input is refused before any stream opens."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import httpx2
import pytest
from dependency_injector import providers

from tests.support.apps import memory_app, settings_for_tests
from tests.support.clients import finished
from tests.support.events import EventStream
from tests.support.faults import UnsyncableRepository
from tests.support.servers import serving_in_process
from tests.support.tokens import bearer, token_for
from todo_api import Container, create_app
from todo_api.resources.task_store import memory_store


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    app, _, _ = memory_app(events_ping_seconds=0.5, events_max_lifetime_seconds=3)
    with serving_in_process(app) as served:
        yield served


def _client(base: str, user: str) -> httpx2.AsyncClient:
    return httpx2.AsyncClient(base_url=base, headers=bearer(token_for(user)), timeout=10)


def test_a_write_pokes_the_owners_stream_with_a_cursor_to_pull_from(base: str) -> None:
    async def scenario() -> None:
        async with _client(base, "alice") as alice, _client(base, "bob") as bob:
            start = (await alice.get("/api/alice/tasks", params={"changed_since": "0"})).json()
            async with EventStream(alice, "/api/alice/events") as stream:
                assert stream.response is not None
                assert stream.response.headers["content-type"].startswith("text/event-stream")
                first = await stream.events.get()
                assert first is not None
                assert first.retry is not None
                assert 2_000 <= first.retry <= 5_000
                created = (await alice.post("/api/alice/tasks", json={"title": "new"})).json()
                changed = await stream.next("changed", seconds=2)
                cursor = json.loads(changed.data[0])["cursor"]
                assert changed.id == cursor
                pulled = await alice.get(
                    "/api/alice/tasks", params={"changed_since": start["cursor"]}
                )
                assert [task["id"] for task in pulled.json()["tasks"]] == [created["id"]]
                await bob.post("/api/bob/tasks", json={"title": "bob's"})
                assert await stream.none_named("changed", 0.7)  # pings come meanwhile
                await alice.delete(f"/api/alice/tasks/{created['id']}")
                gone = await stream.next("changed", seconds=2)
                pulled = await alice.get("/api/alice/tasks", params={"changed_since": cursor})
                assert pulled.json()["deleted"] == [created["id"]]
                assert gone.id != cursor

    finished(scenario())


def test_a_stream_that_is_behind_is_poked_at_once(base: str) -> None:
    async def scenario() -> None:
        async with _client(base, "carol") as carol:
            synced = (await carol.get("/api/carol/tasks", params={"changed_since": "0"})).json()
            await carol.post("/api/carol/tasks", json={"title": "while away"})
            for how in ({"Last-Event-ID": synced["cursor"]}, {}):
                url = "/api/carol/events" + ("" if how else f"?since={synced['cursor']}")
                async with EventStream(carol, url, **how) as stream:
                    changed = await stream.next("changed", seconds=2)
                    assert changed.id is not None
            latest = (await carol.get("/api/carol/tasks", params={"changed_since": "0"})).json()
            async with EventStream(
                carol, "/api/carol/events", **{"Last-Event-ID": latest["cursor"]}
            ) as stream:
                assert await stream.none_named("changed", 0.7)  # up to date

    finished(scenario())


def test_an_idle_stream_pings_and_ends_after_its_lifetime(base: str) -> None:
    async def scenario() -> None:
        async with _client(base, "dave") as dave, EventStream(dave, "/api/dave/events") as stream:
            ping = await stream.next("ping", seconds=2)
            assert ping.data == ["{}"]  # a named event with data: EventSource dispatches it
            assert await stream.ended(5)  # EVENTS_MAX_LIFETIME_SECONDS=3

    finished(scenario())


@pytest.mark.parametrize(
    ("path", "headers", "status", "code"),
    [
        ("/api/erin/events?since=garbage", bearer(token_for("erin")), 400, "invalid_cursor"),
        (
            "/api/erin/events",
            {"Last-Event-ID": "garbage"} | bearer(token_for("erin")),
            400,
            "invalid_cursor",
        ),
        ("/api/erin/events", {}, 401, "token_missing"),
        ("/api/erin/events", bearer(token_for("frank")), 403, "forbidden"),
        (f"/api/erin/events?access_token={token_for('erin')}", {}, 401, "token_missing"),
        (f"/api/erin/events?token={token_for('erin')}", {}, 401, "token_missing"),
    ],
    ids=["since", "last-event-id", "no-token", "other-user", "access_token", "token"],
)
def test_bad_input_is_refused_before_a_stream_opens(
    base: str, path: str, headers: dict[str, str], status: int, code: str
) -> None:
    response = httpx2.get(base + path, headers=headers, timeout=10)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code
    assert response.json()["detail"]


def test_another_users_cursor_is_not_a_stream_cursor(base: str) -> None:
    theirs = httpx2.get(
        base + "/api/grace/tasks", params={"changed_since": "0"}, headers=bearer(token_for("grace"))
    ).json()["cursor"]
    response = httpx2.get(
        base + "/api/heidi/events", params={"since": theirs}, headers=bearer(token_for("heidi"))
    )
    assert (response.status_code, response.json()["code"]) == (400, "invalid_cursor")


def test_a_ticket_opens_the_stream_once_for_its_user_only(base: str) -> None:
    """What a browser's EventSource does: a ticket asked for with the bearer token, then the
    stream opened with it alone, no header."""

    async def scenario() -> None:
        async with _client(base, "ivan") as ivan, httpx2.AsyncClient(base_url=base) as page:
            issued = await ivan.post("/api/ivan/events/ticket")
            assert issued.status_code == 201
            body = issued.json()
            assert body["expires_in"] == 60
            assert len(body["ticket"]) >= 40
            url = f"/api/ivan/events?ticket={body['ticket']}"
            async with EventStream(page, url) as stream:
                assert stream.response is not None
                assert stream.response.status_code == 200
                await ivan.post("/api/ivan/tasks", json={"title": "seen through a ticket"})
                await stream.next("changed", seconds=2)
            again = await page.get(url)  # used once: no more
            assert (again.status_code, again.json()["code"]) == (401, "invalid_token")
            theirs = (await ivan.post("/api/ivan/events/ticket")).json()["ticket"]
            other = await page.get(f"/api/judy/events?ticket={theirs}")
            assert (other.status_code, other.json()["code"]) == (401, "invalid_token")
            unknown = await page.get("/api/ivan/events?ticket=" + "x" * 43)
            assert unknown.status_code == 401
            assert "ticket" in unknown.json()["detail"]
            assert (await page.post("/api/ivan/events/ticket")).status_code == 401

    finished(scenario())


def test_a_stream_whose_pull_fails_ends_with_one_log_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    container = Container()
    container.settings.override(settings_for_tests(events_ping_seconds=30))
    store = UnsyncableRepository()
    container.task_store.override(providers.Object(memory_store(store)))

    async def scenario(base: str) -> None:
        async with _client(base, "kim") as kim, EventStream(kim, "/api/kim/events") as stream:
            store.failing = True
            await kim.post("/api/kim/tasks", json={"title": "poked, then the pull fails"})
            assert await stream.ended(2)  # at once, not at the next ping (30 s)

    with caplog.at_level(logging.WARNING), serving_in_process(create_app(container)) as base:
        finished(scenario(base))
    assert "a change stream ended: following failed (StorageUnavailable)" in caplog.text
    assert "Traceback" not in caplog.text
    assert "Exception in ASGI application" not in caplog.text
