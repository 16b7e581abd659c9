"""Every bad input gets a 4xx problem with a `detail`, never a 5xx, and changes nothing."""

from __future__ import annotations

import asyncio
import base64
import json
import time
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient

from tests.support.apps import memory_app
from tests.support.tokens import bearer, soon
from tests.support.tokens import sign as signed
from todo_adapters.memory import AsyncInMemoryTaskRepository

Auth = Callable[[str], dict[str, str]]
World = tuple[TestClient, AsyncInMemoryTaskRepository, int]
MAX_ERROR_BYTES = 4096  # error bodies never echo a large input back


@pytest.fixture
def world(auth: Auth) -> Iterator[World]:
    """A client, its store, and one task of alice's (plus one of bob's) to aim at."""
    app, _, repository = memory_app()
    with TestClient(app, raise_server_exceptions=False) as client:
        made = client.post(
            "/api/alice/tasks", json={"title": "keep", "description": "me"}, headers=auth("alice")
        )
        client.post("/api/bob/tasks", json={"title": "bob's"}, headers=auth("bob"))
        yield client, repository, made.json()["id"]


def snapshot(repository: AsyncInMemoryTaskRepository) -> object:
    return [asyncio.run(repository.list(user)) for user in ("alice", "bob")]


def assert_refused(response: Any, *statuses: int) -> None:
    assert response.status_code in statuses, (response.status_code, response.text[:300])
    assert response.headers["content-type"] == "application/problem+json"
    assert isinstance(response.json()["detail"], str)
    assert response.json()["detail"]
    assert len(response.content) < MAX_ERROR_BYTES


def hs512_with_the_right_secret() -> str:
    """Correctly signed, but HS512 is not the configured algorithm: refused all the same."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyJWT warns that the test secret is short for HS512
        return signed({"sub": "alice", "exp": soon()}, alg="HS512")


MISSING = "token_missing"  # sign in
EXPIRED = "token_expired"  # get a fresh token, retry once
INVALID = "invalid_token"  # sign in again
BAD_TOKENS: dict[str, tuple[dict[str, str], str]] = {
    "missing": ({}, MISSING),
    "empty bearer": ({"Authorization": "Bearer "}, MISSING),
    "basic scheme": ({"Authorization": "Basic YWxpY2U6cGFzcw=="}, MISSING),
    "garbage": (bearer("not-a-jwt"), INVALID),
    "three garbage parts": (bearer("a.b.c"), INVALID),
    "expired": (bearer(signed({"sub": "alice", "exp": int(time.time()) - 3600})), EXPIRED),
    "no exp": (bearer(signed({"sub": "alice"})), INVALID),
    "wrongly signed": (bearer(signed({"sub": "alice", "exp": soon()}, key="x" * 40)), INVALID),
    "alg none": (
        bearer(jwt.encode({"sub": "alice", "exp": soon()}, None, algorithm="none")),
        INVALID,
    ),
    "alg not allowed": (bearer(hs512_with_the_right_secret()), INVALID),
    "no user id": (bearer(signed({"exp": soon(), "email": "a@b.c"})), INVALID),
    "empty sub": (bearer(signed({"sub": "", "exp": soon()})), INVALID),
    "user id not a string": (bearer(signed({"user_id": 42, "exp": soon()})), INVALID),
    "NUL in sub": (bearer(signed({"sub": "alice\x00", "exp": soon()})), INVALID),
}
METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH"]


def request_as(world: World, method: str, headers: dict[str, str]) -> Any:
    client, _, task_id = world
    path = {
        "GET": "/api/alice/tasks",
        "POST": "/api/alice/tasks",
        "PUT": f"/api/alice/tasks/{task_id}",
        "DELETE": f"/api/alice/tasks/{task_id}",
        "PATCH": f"/api/alice/tasks/{task_id}/complete",
    }[method]
    body = {"title": "hacked"} if method in ("POST", "PUT") else None
    return client.request(method, path, json=body, headers=headers)


@pytest.mark.parametrize(("headers", "code"), BAD_TOKENS.values(), ids=BAD_TOKENS.keys())
@pytest.mark.parametrize("method", METHODS)
def test_bad_tokens_are_401_with_a_code_a_page_can_act_on_and_change_nothing(
    world: World, headers: dict[str, str], code: str, method: str
) -> None:
    before = snapshot(world[1])
    response = request_as(world, method, headers)
    assert_refused(response, 401)
    assert response.json()["code"] == code
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith('Bearer realm="todo"')
    if code == MISSING:  # RFC 6750 3.1: no error code when no credentials were sent
        assert "error=" not in challenge
    else:
        assert 'error="invalid_token"' in challenge
        assert f'error_description="{response.json()["detail"]}"' in challenge
    assert snapshot(world[1]) == before


@pytest.mark.parametrize("method", METHODS)
def test_an_authorization_header_over_the_size_limit_is_431_not_401(
    world: World, method: str
) -> None:
    """A 401 would make a page sign its user out; the token may well be genuine."""
    before = snapshot(world[1])
    response = request_as(world, method, bearer("x" * 100_000))
    assert_refused(response, 431)
    assert response.json()["code"] == "token_too_large"
    assert "x" * 100 not in response.text
    assert snapshot(world[1]) == before


TITLE_200 = "t" * 200
BAD_BODIES: dict[str, object] = {
    "empty title": {"title": ""},
    "whitespace title": {"title": " \t\n "},
    "201-char title": {"title": "t" * 201},
    "1001-char description": {"title": "x", "description": "d" * 1001},
    "null title": {"title": None},
    "completed yes": {"title": "x", "completed": "yes"},
    "NUL in title": {"title": "a\x00b"},
    "NUL in description": {"title": "x", "description": "a\x00b"},
    "control char in title": {"title": "bell\x07"},
    "lone surrogate": {"title": "\ud800"},
    "number title": {"title": 5},
    "list title": {"title": ["x"]},
    "unknown field": {"title": "x", "owner": "bob"},
    "id field": {"title": "x", "id": 1},
    "user_id field": {"title": "x", "user_id": "bob"},
    "array body": [{"title": "x"}],
    "string body": "x",
    "null body": None,
}
RAW_BODIES: dict[str, bytes] = {
    "malformed JSON": b'{"title": ',
    "NaN": b'{"title": NaN}',
    "Infinity": b'{"title": "x", "completed": Infinity}',
    "1e400": b'{"title": "x", "description": 1e400}',
    "NaN description": b'{"title": "x", "description": NaN}',
    "trailing garbage": b'{"title": "x"} extra',
    "not UTF-8": b'{"title": "\xff\xfe"}',
    "empty": b"",
}


def _send(client: TestClient, method: str, path: str, body: object, headers: dict[str, str]) -> Any:
    """Send `body` as a JSON request: raw bytes as they are, anything else JSON-encoded."""
    content = body if isinstance(body, bytes) else json.dumps(body)
    return client.request(
        method, path, content=content, headers={**headers, "Content-Type": "application/json"}
    )


@pytest.mark.parametrize(
    "body",
    [*BAD_BODIES.values(), *RAW_BODIES.values()],
    ids=[*BAD_BODIES.keys(), *RAW_BODIES.keys()],
)
@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_bad_bodies_are_422_and_change_nothing(
    world: World, auth: Auth, body: object, method: str
) -> None:
    client, repository, task_id = world
    if method == "PUT" and body in ({"title": "x", "completed": "yes"},):
        body = {"completed": "yes"}
    before = snapshot(repository)
    path = "/api/alice/tasks" if method == "POST" else f"/api/alice/tasks/{task_id}"
    response = _send(client, method, path, body, auth("alice"))
    # bytes that are not UTF-8 cannot even be parsed: FastAPI says 400; everything else is 422
    assert_refused(response, *((400, 422) if body == RAW_BODIES["not UTF-8"] else (422,)))
    assert snapshot(repository) == before


def test_put_with_json_null_fields_that_cannot_be_null(world: World, auth: Auth) -> None:
    client, repository, task_id = world
    before = snapshot(repository)
    for body in ({"title": None}, {"completed": None}, {"completed": "yes"}, {"completed": 1}):
        response = client.put(f"/api/alice/tasks/{task_id}", json=body, headers=auth("alice"))
        assert_refused(response, 422)
    assert snapshot(repository) == before


@pytest.mark.parametrize(
    "task_id",
    ["0", "-1", "abc", "9223372036854775808", str(10**30), "1.5", "1e3", "%00", "9" * 5000],
)
@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH"])
def test_bad_task_ids_are_404_or_422(world: World, auth: Auth, task_id: str, method: str) -> None:
    client, repository, _ = world
    before = snapshot(repository)
    path = f"/api/alice/tasks/{task_id}" + ("/complete" if method == "PATCH" else "")
    body = {"title": "x"} if method == "PUT" else None
    response = client.request(method, path, json=body, headers=auth("alice"))
    assert_refused(response, 404, 422)
    if task_id.lstrip("-").isdigit() and len(task_id) < 100:
        assert response.status_code == 404  # a number, just not one of ours
    assert snapshot(repository) == before


def test_five_megabyte_body_is_413_without_echo(world: World, auth: Auth) -> None:
    client, repository, task_id = world
    before = snapshot(repository)
    huge = json.dumps({"title": "x" * 5_000_000})
    for method, path in (
        ("POST", "/api/alice/tasks"),
        ("PUT", f"/api/alice/tasks/{task_id}"),
        ("DELETE", f"/api/alice/tasks/{task_id}"),
    ):
        response = client.request(
            method,
            path,
            content=huge,
            headers={**auth("alice"), "Content-Type": "application/json"},
        )
        assert_refused(response, 413)
        assert response.json()["code"] == "content_too_large"  # not Python's phrase of 413
    streamed = client.post(
        "/api/alice/tasks",
        content=iter([huge.encode()[i : i + 65536] for i in range(0, len(huge), 65536)]),
        headers={**auth("alice"), "Content-Type": "application/json"},
    )
    assert_refused(streamed, 413)
    assert snapshot(repository) == before


def test_ten_thousand_character_user_id_in_path(world: World, auth: Auth) -> None:
    client, repository, _ = world
    before = snapshot(repository)
    long_user = "u" * 10_000
    response = client.post(f"/api/{long_user}/tasks", json={"title": "x"}, headers=auth("alice"))
    assert_refused(response, 403)
    assert long_user not in response.text
    assert snapshot(repository) == before


def test_a_huge_unknown_field_name_is_not_echoed(world: World, auth: Auth) -> None:
    client, repository, _ = world
    before = snapshot(repository)
    response = client.post(
        "/api/alice/tasks", json={"title": "x", "k" * 50_000: 1}, headers=auth("alice")
    )
    assert_refused(response, 422)
    assert "k" * 100 not in response.text
    assert snapshot(repository) == before


def test_missing_content_type_is_refused(world: World, auth: Auth) -> None:
    client, repository, _ = world
    before = snapshot(repository)
    response = client.post("/api/alice/tasks", content=b'{"title": "x"}', headers=auth("alice"))
    assert_refused(response, 422)
    assert snapshot(repository) == before


DEEP = base64.urlsafe_b64encode(b"[" * 1000).decode().rstrip("=")  # past the recursion limit


def test_a_page_cursor_nested_past_the_recursion_limit_is_400(world: World, auth: Auth) -> None:
    """Issue 17, item 3: was a 500 with a 4.5 KB traceback per request. (A sync cursor is at
    most 256 characters, too short to nest that deep: 422 before it is decoded.)"""
    client, _, _ = world
    response = client.get("/api/alice/tasks", params={"cursor": DEEP}, headers=auth("alice"))
    assert_refused(response, 400)
    assert response.json()["code"] == "invalid_cursor"
    too_long = client.get("/api/alice/tasks", params={"changed_since": DEEP}, headers=auth("alice"))
    assert_refused(too_long, 422)


def test_unknown_routes_and_methods_are_problems_too(world: World, auth: Auth) -> None:
    client, _, task_id = world
    assert_refused(client.get("/nope"), 404)
    assert_refused(client.post(f"/api/alice/tasks/{task_id}", headers=auth("alice")), 405)


@pytest.mark.parametrize(
    "body", [b'{"title": ', b'{"title": "\xff"}', b"[1, 2", b'{"title": 5}', b"null"]
)
@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
def test_who_is_asking_comes_before_what_they_sent(
    world: World, auth: Auth, body: bytes, method: str
) -> None:
    """Without a token a malformed body is 401, on another user's path 403: the body is read
    only once the caller is known (FastAPI would parse it first)."""
    client, repository, task_id = world
    before = snapshot(repository)
    path = {"POST": "/tasks", "PUT": f"/tasks/{task_id}", "PATCH": f"/tasks/{task_id}/complete"}
    json_type = {"Content-Type": "application/json"}
    anonymous = client.request(method, f"/api/alice{path[method]}", content=body, headers=json_type)
    assert_refused(anonymous, 401)
    foreign = client.request(
        method, f"/api/bob{path[method]}", content=body, headers={**json_type, **auth("alice")}
    )
    assert_refused(foreign, 403)
    assert snapshot(repository) == before
