"""What a page on another origin can read: every answer, errors included, carries CORS and
the request id; token errors say what to do; HTTP details a frontend relies on."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import jwt
import pytest
from fastapi.testclient import TestClient

from tests.support.apps import memory_app, settings_for_tests
from tests.support.faults import BROKEN_OWNER, use_broken_store
from tests.support.tokens import SECRET, auth, bearer, sign, soon, token_for
from todo_api.app import create_app
from todo_api.container import Container
from todo_api.logs import RequestIdFilter

PAGE = "http://127.0.0.1:3000"  # the development default's other name for localhost:3000
FROM_PAGE = {"Origin": PAGE}
EXPOSED = {"x-request-id", "retry-after", "www-authenticate", "location", "etag", "link"}


@pytest.fixture
def browser_client() -> Iterator[TestClient]:
    """The app with a store that has a bug for one user; exceptions become responses, as
    they do behind uvicorn."""
    container = Container()
    container.settings.override(settings_for_tests(max_body_bytes=1024))
    use_broken_store(container)
    with TestClient(create_app(container), raise_server_exceptions=False) as client:
        yield client


def readable_by_the_page(response: object) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    assert headers["access-control-allow-origin"] == PAGE
    assert headers["x-request-id"]
    assert set(headers["access-control-expose-headers"].lower().split(", ")) >= EXPOSED


def test_every_kind_of_answer_is_readable_by_a_page_on_an_allowed_origin(
    browser_client: TestClient,
) -> None:
    alice = {**FROM_PAGE, **auth("alice")}
    answers = {
        200: browser_client.get("/api/alice/tasks", headers=alice),
        201: browser_client.post("/api/alice/tasks", json={"title": "t"}, headers=alice),
        401: browser_client.get("/api/alice/tasks", headers=FROM_PAGE),
        403: browser_client.get("/api/bob/tasks", headers=alice),
        404: browser_client.get("/no/such/path", headers=FROM_PAGE),
        405: browser_client.request("HEAD", "/api/alice/tasks", headers=alice),
        413: browser_client.post(
            "/api/alice/tasks", content=b"x" * 4096, headers={**alice, "Content-Type": "a/b"}
        ),
        422: browser_client.post("/api/alice/tasks", json={"title": ""}, headers=alice),
        431: browser_client.get("/api/alice/tasks", headers={**FROM_PAGE, **bearer("x" * 9000)}),
        500: browser_client.get(
            f"/api/{BROKEN_OWNER}/tasks", headers=auth(BROKEN_OWNER) | FROM_PAGE
        ),
    }
    for status, response in answers.items():
        assert response.status_code == status, (status, response.text)
        readable_by_the_page(response)
        if (status >= 400 and status != 405) or (
            status == 405 and response.request.method != "HEAD"
        ):
            assert response.headers["content-type"] == "application/problem+json"


def test_a_500_is_a_problem_with_the_request_id_and_a_log_line_with_the_error(
    browser_client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    token = token_for(BROKEN_OWNER)
    headers = {**FROM_PAGE, **bearer(token), "X-Request-ID": "page-request-42"}
    caplog.handler.addFilter(RequestIdFilter())  # as the service's own log handler does
    with caplog.at_level(logging.ERROR, logger="todo_api.errors"):
        response = browser_client.get(f"/api/{BROKEN_OWNER}/tasks", headers=headers)
    assert response.status_code == 500
    assert response.json() == {
        "type": "about:blank",
        "title": "Internal Server Error",
        "status": 500,
        "detail": "Internal server error",
        "code": "internal_error",
        "request_id": "page-request-42",
    }
    assert response.headers["x-request-id"] == "page-request-42"
    readable_by_the_page(response)
    [record] = [r for r in caplog.records if r.name == "todo_api.errors"]
    assert record.request_id == "page-request-42"  # type: ignore[attr-defined]
    assert record.exc_info is not None
    assert "test fault" in str(record.exc_info[1])
    assert "GET /api/{user_id}/tasks" in record.getMessage()
    assert token.split(".")[2] not in caplog.text


def test_the_preflight_accepts_what_frontends_send_and_exposes_what_they_read(
    browser_client: TestClient,
) -> None:
    sent = "authorization, content-type, cache-control, if-match, if-none-match, "
    sent += "idempotency-key, traceparent, tracestate, baggage, sentry-trace, x-request-id"
    preflight = browser_client.options(
        "/api/alice/tasks/1",
        headers={
            **FROM_PAGE,
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": sent,
        },
    )
    assert preflight.status_code == 200, preflight.text
    assert preflight.headers["access-control-allow-origin"] == PAGE
    assert int(preflight.headers["access-control-max-age"]) >= 600
    # Bearer tokens need no credentials mode, and the API does not offer it.
    assert "access-control-allow-credentials" not in preflight.headers


def test_token_errors_tell_a_page_what_to_do(browser_client: TestClient) -> None:
    def code_for(headers: dict[str, str]) -> tuple[str, str]:
        response = browser_client.get("/api/alice/tasks", headers={**FROM_PAGE, **headers})
        assert response.status_code == 401
        return response.json()["code"], response.headers["www-authenticate"]

    assert code_for({}) == ("token_missing", 'Bearer realm="todo"')
    expired = sign({"sub": "alice", "exp": soon(-3600)})
    assert code_for(bearer(expired)) == (
        "token_expired",
        'Bearer realm="todo", error="invalid_token", '
        'error_description="The token has expired; get a fresh one and retry"',
    )
    forged = sign({"sub": "alice", "exp": soon()}, key="not-the-secret-" * 3)
    assert code_for(bearer(forged))[0] == "invalid_token"


REFUSALS = {
    "malformed": ("not-a-jwt", ""),
    "bad_signature": (sign({"sub": "alice", "exp": soon()}, key="y" * 40), ""),
    "expired": (sign({"sub": "alice", "exp": soon(-3600)}), ""),
    "wrong_issuer": (
        sign({"sub": "alice", "exp": soon(), "iss": "http://127.0.0.1:3000"}),
        "expected 'http://localhost:3000', received 'http://127.0.0.1:3000'",
    ),
    "wrong_audience": (
        sign({"sub": "alice", "exp": soon(), "iss": "http://localhost:3000", "aud": "other"}),
        "expected 'todo-api', received 'other'",
    ),
    "algorithm_not_allowed": (jwt.encode({"sub": "alice"}, None, algorithm="none"), ""),
    "missing_claim": (sign({"sub": "alice", "iss": "http://localhost:3000"}), "'exp'"),
    "no_user": (sign({"exp": soon(), "iss": "http://localhost:3000", "aud": "todo-api"}), ""),
}


@pytest.mark.parametrize(("why", "case"), REFUSALS.items(), ids=REFUSALS.keys())
def test_each_refused_token_is_one_info_line_saying_why_and_none_of_the_token(
    why: str, case: tuple[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    token, note = case
    app, _, _ = memory_app(
        jwt_issuer="http://localhost:3000", jwt_audience="todo-api", better_auth_secret=SECRET
    )
    with TestClient(app) as client, caplog.at_level(logging.INFO, logger="todo_api.tokens"):
        assert client.get("/api/alice/tasks", headers=bearer(token)).status_code == 401
    [line] = [r.getMessage() for r in caplog.records if r.name == "todo_api.tokens"]
    assert line.startswith(f"token refused: {why}")
    assert note in line
    for part in token.split("."):
        assert len(part) < 8 or part not in caplog.text


def test_a_405_names_every_method_the_path_serves(browser_client: TestClient) -> None:
    alice = auth("alice")
    collection = browser_client.request("PATCH", "/api/alice/tasks", headers=alice)
    assert collection.status_code == 405
    assert collection.headers["allow"] == "GET, POST"
    one = browser_client.request("POST", "/api/alice/tasks/1", headers=alice)
    assert one.headers["allow"] == "DELETE, GET, PUT"
    completion = browser_client.get("/api/alice/tasks/1/complete", headers=alice)
    assert completion.headers["allow"] == "PATCH"


def test_a_new_task_says_where_it_lives(browser_client: TestClient) -> None:
    created = browser_client.post("/api/alice/tasks", json={"title": "t"}, headers=auth("alice"))
    location = created.headers["location"]
    assert location == f"/api/alice/tasks/{created.json()['id']}"
    assert browser_client.get(location, headers=auth("alice")).json() == created.json()


def test_complete_with_a_body_sets_the_value_so_a_retry_cannot_undo_it(
    browser_client: TestClient,
) -> None:
    alice = auth("alice")
    task_id = browser_client.post("/api/alice/tasks", json={"title": "t"}, headers=alice).json()[
        "id"
    ]
    path = f"/api/alice/tasks/{task_id}/complete"
    for _ in range(2):  # a double click
        done = browser_client.patch(path, json={"completed": True}, headers=alice)
        assert done.status_code == 200
        assert done.json()["completed"] is True
    undone = browser_client.patch(path, json={"completed": False}, headers=alice)
    assert undone.json()["completed"] is False
    assert browser_client.patch(path, headers=alice).json()["completed"] is True  # no body: flip
    for bad in ({"completed": "yes"}, {"completed": None}, {"done": True}, {}):
        refused = browser_client.patch(path, json=bad, headers=alice)
        assert refused.status_code == 422, bad
        assert refused.json()["code"] == "invalid_request"
    assert browser_client.get(f"/api/alice/tasks/{task_id}", headers=alice).json()["completed"]


def test_truncated_json_is_422_as_the_readme_says(browser_client: TestClient) -> None:
    response = browser_client.post(
        "/api/alice/tasks",
        content=b'{"title": "Buy mi',
        headers={**auth("alice"), "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"
