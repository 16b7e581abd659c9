"""Idempotency keys and incremental sync over HTTP, on memory and PostgreSQL.

What this proves:

- a write with an `Idempotency-Key` (POST, PUT, PATCH complete with or without a body,
  DELETE) answers its retry with the first answer (same status, body, ETag, Location) marked
  `Idempotent-Replayed: true`, and writes nothing again;
- `"abc"` (a structured-field string) and `abc` are one key; keys belong to their user;
- a key reused for another request is 422 `idempotency_key_reused`, an invalid key is 400
  `invalid_idempotency_key`, and neither writes anything; a refused write (404, 412, 422)
  keeps no key, so its retry is tried afresh;
- a page on an allowed origin may send the key and read the replay header;
- `?changed_since=` answers {tasks, deleted, cursor}: what changed since the cursor (exactly,
  in memory; on PostgreSQL nothing missed, see `exact`), for the caller only; bad cursors
  and extra parameters are problems, never a 500; a cursor older than the purged tombstones
  is 410 `sync_expired`;
- the OpenAPI document says all of the above.

Keys are unique per test (`new_key`): the PostgreSQL fixture empties `tasks` only, so a key
kept by an earlier test would still be there.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from tests.support.apps import memory_app, settings_for_tests
from tests.support.repositories import Synchronously
from tests.support.tokens import auth
from todo_api.app import create_app
from todo_api.container import Container
from todo_core.syncing import STAMP_MAX, cursor_of

ALICE = auth("alice")
BOB = auth("bob")
TASKS = "/api/alice/tasks"
BOB_TASKS = "/api/bob/tasks"
PROBLEM = "application/problem+json"
REPLAYED = "idempotent-replayed"
PAGE = "http://localhost:3000"  # an origin the development settings allow


def new_key() -> str:
    return f"key-{uuid.uuid4()}"


def keyed(key: str, user: dict[str, str] = ALICE) -> dict[str, str]:
    return {**user, "Idempotency-Key": key}


def raw_keyed(key: bytes) -> dict[bytes, bytes]:
    """Alice's headers with a key as raw bytes (a str header must be ASCII)."""
    return {b"authorization": ALICE["Authorization"].encode(), b"idempotency-key": key}


def add(client: TestClient, title: str) -> dict[str, Any]:
    response = client.post(TASKS, json={"title": title}, headers=ALICE)
    assert response.status_code == 201, response.text
    task: dict[str, Any] = response.json()
    return task


def listed(client: TestClient, path: str = TASKS, user: dict[str, str] = ALICE) -> list[Any]:
    response = client.get(path, headers=user)
    assert response.status_code == 200, response.text
    tasks: list[Any] = response.json()
    return tasks


def problem_code(response: httpx2.Response, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    assert REPLAYED not in response.headers
    code: str = response.json()["code"]
    return code


def sync(client: TestClient, cursor: str, user: dict[str, str] = ALICE) -> dict[str, Any]:
    path = TASKS if user is ALICE else BOB_TASKS
    response = client.get(path, params={"changed_since": cursor}, headers=user)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    changes: dict[str, Any] = response.json()
    assert set(changes) == {"tasks", "deleted", "cursor"}
    assert isinstance(changes["cursor"], str)
    return changes


# Idempotency keys


def test_a_keyed_create_answers_its_retry_with_the_same_task_and_creates_one(
    client: TestClient,
) -> None:
    key = new_key()
    first = client.post(TASKS, json={"title": "once"}, headers=keyed(key))
    assert first.status_code == 201, first.text
    assert REPLAYED not in first.headers
    again = client.post(TASKS, json={"title": "once"}, headers=keyed(key))
    assert again.status_code == 201, again.text
    assert again.headers[REPLAYED] == "true"
    assert again.json() == first.json()
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["location"] == first.headers["location"]
    assert listed(client) == [first.json()]


WRITES = {
    "PUT": ("PUT", "", {"title": "renamed"}, 200),
    "PATCH toggle": ("PATCH", "/complete", None, 200),
    "PATCH completed true": ("PATCH", "/complete", {"completed": True}, 200),
    "PATCH completed false": ("PATCH", "/complete", {"completed": False}, 200),
    "DELETE": ("DELETE", "", None, 204),
}


@pytest.mark.parametrize(("method", "suffix", "body", "status"), WRITES.values(), ids=WRITES)
def test_a_keyed_write_answers_its_retry_with_the_kept_answer_and_writes_once(
    client: TestClient, method: str, suffix: str, body: object, status: int
) -> None:
    one = f"{TASKS}/{add(client, 'kept')['id']}"
    if body == {"completed": False}:  # so that setting it is a change
        client.patch(f"{one}/complete", json={"completed": True}, headers=ALICE)
    key = new_key()
    first = client.request(method, one + suffix, json=body, headers=keyed(key))
    assert first.status_code == status, first.text
    assert REPLAYED not in first.headers
    after = client.get(one, headers=ALICE)
    again = client.request(method, one + suffix, json=body, headers=keyed(key))
    assert again.status_code == status, again.text  # a gone task's DELETE: 204, not 404
    assert again.headers[REPLAYED] == "true"
    assert again.content == first.content
    assert again.headers.get("etag") == first.headers.get("etag")
    now = client.get(one, headers=ALICE)  # nothing written again: no new version, no flip back
    assert now.status_code == after.status_code
    assert now.json() == after.json()


def test_a_keyed_write_and_its_replay_carry_the_written_version(client: TestClient) -> None:
    one = f"{TASKS}/{add(client, 'v')['id']}"
    key = new_key()
    first = client.patch(f"{one}/complete", headers=keyed(key))
    again = client.patch(f"{one}/complete", headers=keyed(key))
    assert first.json()["completed"] is True
    assert first.headers["etag"] == '"2"'
    assert again.headers["etag"] == '"2"'
    assert again.json()["completed"] is True
    assert client.get(one, headers=ALICE).json()["version"] == 2


QUOTED = {
    "bare then quoted": ("{k}", '"{k}"'),
    "quoted then bare": ('"{k}"', "{k}"),
    "escaped quote": ('{k}"x', '"{k}\\"x"'),
    "escaped backslash": ("{k}\\x", '"{k}\\\\x"'),
}


@pytest.mark.parametrize(("sent", "resent"), QUOTED.values(), ids=QUOTED)
def test_a_quoted_key_is_the_same_key_as_the_bare_one(
    client: TestClient, sent: str, resent: str
) -> None:
    key = new_key()
    first = client.post(TASKS, json={"title": "q"}, headers=keyed(sent.format(k=key)))
    assert first.status_code == 201, first.text
    again = client.post(TASKS, json={"title": "q"}, headers=keyed(resent.format(k=key)))
    assert again.status_code == 201, again.text
    assert again.headers[REPLAYED] == "true"
    assert again.json() == first.json()
    assert len(listed(client)) == 1


def test_a_create_key_reused_for_another_request_is_422_and_changes_nothing(
    client: TestClient,
) -> None:
    key = new_key()
    created = client.post(TASKS, json={"title": "first"}, headers=keyed(key))
    assert created.status_code == 201
    one = created.headers["location"]
    others = [
        ("POST", TASKS, {"title": "second"}),
        ("POST", TASKS, {"title": "first", "completed": True}),
        ("PUT", one, {"title": "first"}),
        ("PATCH", f"{one}/complete", None),
        ("DELETE", one, None),
    ]
    for method, path, body in others:
        response = client.request(method, path, json=body, headers=keyed(key))
        assert problem_code(response, 422) == "idempotency_key_reused", (method, body)
    assert listed(client) == [created.json()]


def test_a_change_key_reused_for_another_change_or_task_is_422_and_changes_nothing(
    client: TestClient,
) -> None:
    mine, other = add(client, "mine"), add(client, "other")
    one, two = f"{TASKS}/{mine['id']}", f"{TASKS}/{other['id']}"
    key = new_key()
    changed = client.put(one, json={"title": "x"}, headers=keyed(key))
    assert changed.status_code == 200, changed.text
    others = [
        ("PUT", one, {"title": "y"}, {}),
        ("PUT", one, {"title": "x", "description": None}, {}),
        ("PUT", one, {"title": "x"}, {"If-Match": '"2"'}),
        ("PUT", two, {"title": "x"}, {}),
        ("PATCH", f"{one}/complete", None, {}),
        ("PATCH", f"{one}/complete", {"completed": True}, {}),
        ("DELETE", one, None, {}),
        ("POST", TASKS, {"title": "x"}, {}),
    ]
    for method, path, body, extra in others:
        response = client.request(method, path, json=body, headers={**keyed(key), **extra})
        assert problem_code(response, 422) == "idempotency_key_reused", (method, path, body)
    assert listed(client) == [changed.json(), other]


def test_a_toggle_key_is_not_a_set_key(client: TestClient) -> None:
    one = f"{TASKS}/{add(client, 't')['id']}"
    key = new_key()
    assert client.patch(f"{one}/complete", headers=keyed(key)).status_code == 200
    refused = client.patch(f"{one}/complete", json={"completed": True}, headers=keyed(key))
    assert problem_code(refused, 422) == "idempotency_key_reused"
    assert client.get(one, headers=ALICE).json()["version"] == 2


def test_keys_belong_to_their_user(client: TestClient) -> None:
    key = new_key()
    alices = client.post(TASKS, json={"title": "same"}, headers=keyed(key))
    bobs = client.post(BOB_TASKS, json={"title": "same"}, headers=keyed(key, BOB))
    assert bobs.status_code == 201, bobs.text
    assert REPLAYED not in bobs.headers
    assert bobs.json()["user_id"] == "bob"
    assert bobs.json()["id"] != alices.json()["id"]
    assert listed(client) == [alices.json()]
    assert listed(client, BOB_TASKS, BOB) == [bobs.json()]


INVALID_KEYS = {
    "empty": b"",
    "quoted empty": b'""',
    "256 characters": b"k" * 256,
    "non-ASCII": "caf\xe9".encode("latin-1"),
    "UTF-8": "caf\xe9".encode(),
    "DEL inside": b"a\x7fb",
    "control inside": b"a\x01b",
    "tab inside": b"a\tb",
}


@pytest.mark.parametrize("key", INVALID_KEYS.values(), ids=INVALID_KEYS)
def test_an_invalid_key_is_400_and_nothing_is_written(client: TestClient, key: bytes) -> None:
    task = add(client, "untouched")
    one = f"{TASKS}/{task['id']}"
    writes = [
        ("POST", TASKS, {"title": "new"}),
        ("PUT", one, {"title": "changed"}),
        ("PATCH", f"{one}/complete", None),
        ("PATCH", f"{one}/complete", {"completed": True}),
        ("DELETE", one, None),
    ]
    for method, path, body in writes:
        response = client.request(method, path, json=body, headers=raw_keyed(key))
        assert problem_code(response, 400) == "invalid_idempotency_key", (method, body)
    assert listed(client) == [task]


def test_a_key_of_255_printable_characters_is_taken(client: TestClient) -> None:
    key = (new_key() + " !~" + "k" * 255)[:255]
    first = client.post(TASKS, json={"title": "long key"}, headers=keyed(key))
    assert first.status_code == 201, first.text
    again = client.post(TASKS, json={"title": "long key"}, headers=keyed(key))
    assert again.headers[REPLAYED] == "true"
    assert len(listed(client)) == 1


def test_a_write_refused_as_not_found_keeps_no_key(client: TestClient) -> None:
    one = f"{TASKS}/{add(client, 'real')['id']}"
    missing = f"{TASKS}/999999"
    for method, suffix, body, status in WRITES.values():
        if body == {"completed": False}:
            continue
        key = new_key()
        refused = client.request(method, missing + suffix, json=body, headers=keyed(key))
        assert problem_code(refused, 404) == "task_not_found", method
        again = client.request(method, missing + suffix, json=body, headers=keyed(key))
        assert problem_code(again, 404) == "task_not_found", method  # not a replayed 404
        if method == "DELETE":
            continue  # a later keyed DELETE of `one` would change what the loop reads
        done = client.request(method, one + suffix, json=body, headers=keyed(key))
        assert done.status_code == status, (method, done.text)
        assert REPLAYED not in done.headers
    deleted = client.delete(one, headers=keyed(key := new_key()))
    assert deleted.status_code == 204
    assert REPLAYED not in deleted.headers
    assert client.delete(one, headers=keyed(key)).headers[REPLAYED] == "true"


def test_a_write_refused_as_stale_keeps_no_key(client: TestClient) -> None:
    one = f"{TASKS}/{add(client, 'shared')['id']}"
    client.put(one, json={"title": "theirs"}, headers=ALICE)  # now "2"
    key = new_key()
    for _ in range(2):
        stale = client.put(one, json={"title": "mine"}, headers={**keyed(key), "If-Match": '"1"'})
        assert problem_code(stale, 412) == "task_changed"
    assert client.get(one, headers=ALICE).json()["title"] == "theirs"
    current = client.put(one, json={"title": "mine"}, headers={**keyed(key), "If-Match": '"2"'})
    assert current.status_code == 200, current.text
    assert REPLAYED not in current.headers
    assert current.json()["title"] == "mine"


def test_a_create_refused_as_invalid_keeps_no_key(client: TestClient) -> None:
    key = new_key()
    refused = client.post(TASKS, json={"title": "   "}, headers=keyed(key))
    assert problem_code(refused, 422) == "invalid_task"
    created = client.post(TASKS, json={"title": "valid"}, headers=keyed(key))
    assert created.status_code == 201, created.text
    assert REPLAYED not in created.headers


def test_a_keyed_conditional_write_replays_once_its_etag_is_stale(client: TestClient) -> None:
    one = f"{TASKS}/{add(client, 'v1')['id']}"
    headers = {**keyed(new_key()), "If-Match": '"1"'}
    first = client.put(one, json={"title": "v2"}, headers=headers)
    assert first.status_code == 200, first.text
    assert first.headers["etag"] == '"2"'
    unkeyed = client.put(one, json={"title": "v2"}, headers={**ALICE, "If-Match": '"1"'})
    assert unkeyed.status_code == 412  # the ETag is stale now
    client.put(one, json={"title": "v3"}, headers=ALICE)  # and another tab wrote since
    again = client.put(one, json={"title": "v2"}, headers=headers)
    assert again.status_code == 200, again.text
    assert again.headers[REPLAYED] == "true"
    assert again.headers["etag"] == '"2"'  # the kept answer, not the task as it is now
    assert again.json() == first.json()
    now = client.get(one, headers=ALICE).json()
    assert now["version"] == 3
    assert now["title"] == "v3"


def test_a_page_may_send_a_key_and_read_that_the_answer_was_replayed(
    client: TestClient,
) -> None:
    preflight = client.options(
        TASKS,
        headers={
            "Origin": PAGE,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type, idempotency-key",
        },
    )
    assert preflight.status_code == 200, preflight.text
    assert preflight.headers["access-control-allow-origin"] == PAGE
    allowed = preflight.headers["access-control-allow-headers"].lower().split(", ")
    assert "idempotency-key" in allowed
    headers = {**keyed(new_key()), "Origin": PAGE}
    client.post(TASKS, json={"title": "from a page"}, headers=headers)
    again = client.post(TASKS, json={"title": "from a page"}, headers=headers)
    assert again.headers[REPLAYED] == "true"
    assert again.headers["access-control-allow-origin"] == PAGE
    exposed = again.headers["access-control-expose-headers"].lower().split(", ")
    assert REPLAYED in exposed


# Incremental sync


@pytest.fixture
def exact(request: pytest.FixtureRequest) -> bool:
    """Whether a sync from a cursor has only what changed since. In memory, yes. PostgreSQL's
    cursor stops at the oldest transaction running anywhere on the server (another database's
    included), so while the server is busy a sync may have again what an earlier one had: the
    documented contract there is that nothing is ever missed."""
    return bool(request.node.callspec.params["client"] == "memory")


def has_changes(
    changes: dict[str, Any],
    client: TestClient,
    tasks: list[dict[str, Any]],
    deleted: list[int],
    exact: bool,
) -> None:
    """`changes` has each of `tasks` as it is now and each id in `deleted`; whatever else it
    has (on PostgreSQL) is a task as it is now; with `exact`, it has nothing else."""
    current = listed(client)
    for task in changes["tasks"]:
        assert task in current, task
    for task in tasks:
        assert task in changes["tasks"], task
    assert set(deleted) <= set(changes["deleted"])
    assert not set(changes["deleted"]) & {task["id"] for task in current}
    if exact:
        assert sorted(t["id"] for t in changes["tasks"]) == sorted(t["id"] for t in tasks)
        assert changes["deleted"] == sorted(deleted)


def test_a_first_sync_has_every_task_and_a_cursor(client: TestClient) -> None:
    empty = sync(client, "0")
    assert empty["tasks"] == []
    assert empty["deleted"] == []
    tasks = [add(client, "a"), add(client, "b")]
    first = sync(client, "0")
    assert first["tasks"] == tasks
    assert first["deleted"] == []
    assert first["cursor"] != "0"


def test_a_sync_from_a_cursor_has_what_changed_since(client: TestClient, exact: bool) -> None:
    gone, changed, toggled = (add(client, t) for t in ("gone", "ch", "tg"))
    add(client, "untouched")
    cursor = sync(client, "0")["cursor"]
    created = add(client, "new")
    client.put(f"{TASKS}/{changed['id']}", json={"title": "changed"}, headers=ALICE)
    client.patch(f"{TASKS}/{toggled['id']}/complete", headers=ALICE)
    client.delete(f"{TASKS}/{gone['id']}", headers=ALICE)
    changes = sync(client, cursor)
    expected = [
        client.get(f"{TASKS}/{t['id']}", headers=ALICE).json() for t in (changed, toggled, created)
    ]
    assert [t["version"] for t in expected] == [2, 2, 1]
    has_changes(changes, client, expected, [gone["id"]], exact)
    following = sync(client, changes["cursor"])
    has_changes(following, client, [], [], exact)
    later = add(client, "later")
    has_changes(sync(client, following["cursor"]), client, [later], [], exact)


def test_a_deleted_task_is_in_deleted_and_nowhere_else(client: TestClient, exact: bool) -> None:
    kept, gone = add(client, "kept"), add(client, "gone")
    cursor = sync(client, "0")["cursor"]
    client.put(f"{TASKS}/{gone['id']}", json={"title": "changed, then"}, headers=ALICE)
    assert client.delete(f"{TASKS}/{gone['id']}", headers=ALICE).status_code == 204
    changes = sync(client, cursor)
    has_changes(changes, client, [], [gone["id"]], exact)
    assert gone["id"] not in [t["id"] for t in changes["tasks"]]
    assert client.get(f"{TASKS}/{gone['id']}", headers=ALICE).status_code == 404
    assert listed(client) == [kept]
    assert sync(client, "0")["tasks"] == [kept]


def test_another_users_writes_never_show_in_a_sync(client: TestClient, exact: bool) -> None:
    mine = add(client, "mine")
    cursor = sync(client, "0")["cursor"]
    bobs = client.post(BOB_TASKS, json={"title": "bob's"}, headers=BOB).json()
    client.put(f"{BOB_TASKS}/{bobs['id']}", json={"title": "bob's, changed"}, headers=BOB)
    other = client.post(BOB_TASKS, json={"title": "bob's, gone"}, headers=BOB).json()
    client.delete(f"{BOB_TASKS}/{other['id']}", headers=BOB)
    changes = sync(client, cursor)
    has_changes(changes, client, [], [], exact)
    assert bobs["id"] not in [t["id"] for t in changes["tasks"]]
    assert other["id"] not in changes["deleted"]
    assert sync(client, "0")["tasks"] == [mine]
    assert [t["id"] for t in sync(client, "0", BOB)["tasks"]] == [bobs["id"]]


def test_a_cursor_is_its_users_own(client: TestClient, exact: bool) -> None:
    add(client, "mine")
    cursor = sync(client, "0")["cursor"]
    stolen = client.get(BOB_TASKS, params={"changed_since": cursor}, headers=BOB)
    assert problem_code(stolen, 400) == "invalid_cursor"
    has_changes(sync(client, cursor), client, [], [], exact)


BAD_CURSORS = {
    "garbage": ("abc", 400, "invalid_cursor"),
    "NUL": ("%00", 400, "invalid_cursor"),
    "base64 of 0": ("MA", 400, "invalid_cursor"),
    "minus one": ("-1", 400, "invalid_cursor"),
    "emoji": ("%F0%9F%8E%89", 400, "invalid_cursor"),
    "stamp 0": (cursor_of(0, "alice"), 400, "invalid_cursor"),
    "stamp past bigint": (cursor_of(STAMP_MAX + 1, "alice"), 400, "invalid_cursor"),
    "bob's stamp": (cursor_of(1, "bob"), 400, "invalid_cursor"),
    "empty": ("", 422, "invalid_request"),
    "too long": ("x" * 300, 422, "invalid_request"),
    "twice": ("0&changed_since=0", 422, "invalid_request"),
}


@pytest.mark.parametrize(("cursor", "status", "code"), BAD_CURSORS.values(), ids=BAD_CURSORS)
def test_a_bad_cursor_is_a_problem_never_a_500(
    client: TestClient, cursor: str, status: int, code: str
) -> None:
    add(client, "kept")
    response = client.get(f"{TASKS}?changed_since={cursor}", headers=ALICE)
    assert problem_code(response, status) == code


def test_a_list_pages_cursor_is_not_a_sync_cursor(client: TestClient) -> None:
    for title in ("a", "b"):
        add(client, title)
    link = client.get(f"{TASKS}?limit=1", headers=ALICE).headers["link"]
    page_cursor = parse_qs(urlsplit(link.split(">")[0].lstrip("<")).query)["cursor"][0]
    response = client.get(TASKS, params={"changed_since": page_cursor}, headers=ALICE)
    assert problem_code(response, 400) == "invalid_cursor"


def test_a_cursor_from_far_ahead_is_answered_not_refused(client: TestClient) -> None:
    add(client, "kept")
    assert sync(client, cursor_of(STAMP_MAX, "alice"))["tasks"] == []


CONFLICTING = ["limit=5", "sort=id", "completed=true", "q=x", "cursor=abc"]


@pytest.mark.parametrize("other", CONFLICTING)
def test_a_sync_takes_no_other_parameter(client: TestClient, other: str) -> None:
    response = client.get(f"{TASKS}?changed_since=0&{other}", headers=ALICE)
    assert problem_code(response, 400) == "conflicting_parameters"
    assert other.split("=")[0] in response.json()["detail"]


def test_a_cursor_older_than_the_kept_deletions_is_410() -> None:
    app, _, repository = memory_app()
    with TestClient(app) as client:
        kept, gone = add(client, "kept"), add(client, "gone")
        old = sync(client, "0")["cursor"]
        client.delete(f"{TASKS}/{gone['id']}", headers=ALICE)
        assert sync(client, old)["deleted"] == [gone["id"]]
        now = datetime.now(UTC)
        Synchronously(repository).purge(
            keys_before=now - timedelta(days=1), tombstones_before=now + timedelta(days=1)
        )
        expired = client.get(TASKS, params={"changed_since": old}, headers=ALICE)
        assert problem_code(expired, 410) == "sync_expired"
        again = sync(client, "0")
        assert again["tasks"] == [kept]
        assert sync(client, again["cursor"])["tasks"] == []


def test_one_users_storage_is_bounded_over_http(tmp_path: Path) -> None:
    """Issue 17, item 5, on the deployed shape (the SQLite default, its triggers): past the
    bound a user's oldest key is forgotten and their older cursors expire; another user's
    cursor is untouched. The bound is lowered in place, as an operator would."""
    url = f"sqlite:///{tmp_path / 'bounded.db'}"
    container = Container()
    container.settings.override(settings_for_tests(database_url=url))
    with TestClient(create_app(container)) as client:
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(
                text("UPDATE sync_state SET keys_per_owner = 2, tombstones_per_owner = 2")
            )
        engine.dispose()
        first = new_key()
        created = client.post(TASKS, json={"title": "once"}, headers=keyed(first))
        for _ in range(2):
            client.post(TASKS, json={"title": "later"}, headers=keyed(new_key()))
        again = client.post(TASKS, json={"title": "once"}, headers=keyed(first))
        assert again.status_code == 201
        assert REPLAYED not in again.headers  # forgotten: written afresh
        assert again.json()["id"] != created.json()["id"]

        bobs = client.post(BOB_TASKS, json={"title": "b"}, headers=BOB).json()
        bob_cursor = sync(client, "0", BOB)["cursor"]
        client.delete(f"{BOB_TASKS}/{bobs['id']}", headers=BOB)
        old = sync(client, "0")["cursor"]
        for task in listed(client)[:3]:
            assert client.delete(f"{TASKS}/{task['id']}", headers=ALICE).status_code == 204
        expired = client.get(TASKS, params={"changed_since": old}, headers=ALICE)
        assert problem_code(expired, 410) == "sync_expired"
        assert sync(client, bob_cursor, BOB)["deleted"] == [bobs["id"]]


# The OpenAPI document


@pytest.fixture(scope="module")
def document() -> Iterator[dict[str, Any]]:
    app, _, _ = memory_app()
    with TestClient(app) as client:
        response = client.get("/openapi.json")
        assert response.status_code == 200
        yield response.json()


ONE = "/api/{user_id}/tasks/{task_id}"
KEYED = {
    "POST": ("/api/{user_id}/tasks", "post", "201"),
    "PUT": (ONE, "put", "200"),
    "PATCH": (ONE + "/complete", "patch", "200"),
    "DELETE": (ONE, "delete", "204"),
}


@pytest.mark.parametrize(("path", "method", "success"), KEYED.values(), ids=KEYED)
def test_every_write_documents_the_idempotency_key(
    document: dict[str, Any], path: str, method: str, success: str
) -> None:
    operation = document["paths"][path][method]
    headers = {p["name"]: p for p in operation["parameters"] if p["in"] == "header"}
    key = headers["Idempotency-Key"]
    assert key["required"] is False
    assert key["schema"]["maxLength"] == 255
    assert key["schema"]["minLength"] == 1
    responses = operation["responses"]
    assert "Idempotent-Replayed" in responses[success]["headers"]
    assert {"400", "409", "422"} <= set(responses)
    assert "410" not in responses


def test_the_list_documents_sync(document: dict[str, Any]) -> None:
    operation = document["paths"]["/api/{user_id}/tasks"]["get"]
    query = {p["name"]: p for p in operation["parameters"] if p["in"] == "query"}
    sync_schema = {"type": "string", "minLength": 1, "maxLength": 256}
    assert sync_schema in query["changed_since"]["schema"]["anyOf"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert {"$ref": "#/components/schemas/Changes"} in schema["anyOf"]
    assert {"type": "array", "items": {"$ref": "#/components/schemas/Task"}} in schema["anyOf"]
    assert "410" in operation["responses"]
    assert "409" not in operation["responses"]
    changes = document["components"]["schemas"]["Changes"]
    assert set(changes["properties"]) == {"tasks", "deleted", "cursor"}


def test_the_changes_schema_requires_every_field_as_every_answer_has_it(
    document: dict[str, Any],
) -> None:
    """As the Task schema does (`openapi._describe_task`): a generated client should not
    make `deleted` or `cursor` optional, nor read a missing cursor as "0"."""
    changes = document["components"]["schemas"]["Changes"]
    assert sorted(changes["required"]) == ["cursor", "deleted", "tasks"]
    assert "default" not in changes["properties"]["cursor"]
