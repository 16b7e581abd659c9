"""The REST contract through TestClient, on the in-memory store."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient

Auth = Callable[[str], dict[str, str]]
UTC_ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|\+00:00)$")


def create(client: TestClient, auth: Auth, user: str, **body: object) -> dict[str, object]:
    response = client.post(f"/api/{user}/tasks", json=body or {"title": "t"}, headers=auth(user))
    assert response.status_code == 201, response.text
    task: dict[str, object] = response.json()
    return task


def test_create_returns_the_task_in_the_seed_shape(client: TestClient, auth: Auth) -> None:
    """The seed's fields, plus the version its ETag is made of and the planning fields (at
    their defaults: `tests/api/test_planning_http.py` has the rest)."""
    task = create(client, auth, "alice", title="  Write docs ", description="all of them")
    assert set(task) == {
        "id",
        "user_id",
        "title",
        "description",
        "completed",
        "created_at",
        "updated_at",
        "version",
        "priority",
        "tags",
        "due_date",
        "due_at",
        "time_zone",
        "recurrence",
        "remind_at",
        "last_completed_at",
    }
    assert task["version"] == 1
    assert task["user_id"] == "alice"
    assert task["title"] == "Write docs"
    assert task["completed"] is False
    assert isinstance(task["id"], int)
    assert UTC_ISO.match(str(task["created_at"]))
    assert task["created_at"] == task["updated_at"]


def test_list_get_update_toggle_delete(client: TestClient, auth: Auth) -> None:
    h = auth("alice")
    first = create(client, auth, "alice", title="one")
    second = create(client, auth, "alice", title="two", description="d")
    listed = client.get("/api/alice/tasks", headers=h)
    assert listed.status_code == 200
    assert [t["id"] for t in listed.json()] == [first["id"], second["id"]]

    url = f"/api/alice/tasks/{second['id']}"
    assert client.get(url, headers=h).json() == second

    updated = client.put(url, json={"title": "two!"}, headers=h)
    assert updated.status_code == 200
    assert (updated.json()["title"], updated.json()["description"]) == ("two!", "d")
    assert updated.json()["updated_at"] > second["updated_at"]

    cleared = client.put(url, json={"description": None, "completed": True}, headers=h).json()
    assert (cleared["description"], cleared["completed"]) == (None, True)

    toggled = client.patch(url + "/complete", headers=h)
    assert toggled.status_code == 200
    assert toggled.json()["completed"] is False
    assert toggled.json()["updated_at"] > cleared["updated_at"]

    deleted = client.delete(url, headers=h)
    assert (deleted.status_code, deleted.content) == (204, b"")
    gone = client.get(url, headers=h)
    assert gone.status_code == 404
    assert gone.headers["content-type"] == "application/problem+json"
    assert gone.json()["detail"] == "Task not found"


def test_empty_put_changes_nothing(client: TestClient, auth: Auth) -> None:
    task = create(client, auth, "alice")
    response = client.put(f"/api/alice/tasks/{task['id']}", json={}, headers=auth("alice"))
    assert response.status_code == 200
    assert response.json() == task


def test_another_users_token_on_my_path_is_forbidden(client: TestClient, auth: Auth) -> None:
    task = create(client, auth, "alice")
    for method, path in [
        ("GET", "/api/alice/tasks"),
        ("POST", "/api/alice/tasks"),
        ("GET", f"/api/alice/tasks/{task['id']}"),
        ("PUT", f"/api/alice/tasks/{task['id']}"),
        ("DELETE", f"/api/alice/tasks/{task['id']}"),
        ("PATCH", f"/api/alice/tasks/{task['id']}/complete"),
    ]:
        body = {"title": "hijack"} if method in ("POST", "PUT") else None
        response = client.request(method, path, json=body, headers=auth("mallory"))
        assert response.status_code == 403, (method, path)
        assert response.json()["detail"] == "Access denied"
    assert client.get("/api/alice/tasks", headers=auth("alice")).json() == [task]


def test_a_foreign_task_under_my_own_path_is_not_found(client: TestClient, auth: Auth) -> None:
    theirs = create(client, auth, "bob", title="bob's")
    url = f"/api/mallory/tasks/{theirs['id']}"
    h = auth("mallory")
    assert client.get(url, headers=h).status_code == 404
    assert client.put(url, json={"title": "pwned"}, headers=h).status_code == 404
    assert client.patch(url + "/complete", headers=h).status_code == 404
    assert client.delete(url, headers=h).status_code == 404
    after = client.get(f"/api/bob/tasks/{theirs['id']}", headers=auth("bob")).json()
    assert after == theirs


def test_unauthenticated_is_401_with_a_bearer_challenge(client: TestClient) -> None:
    response = client.get("/api/alice/tasks")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="todo"'
    assert response.json()["code"] == "token_missing"
    forged = client.get("/api/alice/tasks", headers={"Authorization": "Bearer not.a.jwt"})
    assert forged.status_code == 401
    assert forged.headers["www-authenticate"] == (
        'Bearer realm="todo", error="invalid_token", error_description="Invalid token"'
    )
    assert forged.json()["code"] == "invalid_token"


def test_root_and_health(client: TestClient) -> None:
    root = client.get("/").json()
    assert root["message"] == "Todo API"
    assert root["docs"] == "/docs"
    assert root["version"]
    assert client.get("/health").json() == {"status": "ok"}
    assert client.get("/health/ready").json() == {"status": "ready", "database": "ok"}


def test_cors_allows_the_frontend_and_nobody_else(client: TestClient) -> None:
    preflight = {"Access-Control-Request-Method": "POST"}
    ok = client.options("/api/a/tasks", headers={"Origin": "http://localhost:3000", **preflight})
    assert ok.headers["access-control-allow-origin"] == "http://localhost:3000"
    evil = client.options("/api/a/tasks", headers={"Origin": "https://evil.example", **preflight})
    assert "access-control-allow-origin" not in evil.headers


def test_emoji_and_sql_looking_text_round_trip(client: TestClient, auth: Auth) -> None:
    title = "🎉'; DROP TABLE tasks; -- 日本"
    description = 'Robert"); DELETE FROM tasks;\n\t👩‍👩‍👧'
    task = create(client, auth, "alice", title=title, description=description)
    fetched = client.get(f"/api/alice/tasks/{task['id']}", headers=auth("alice")).json()
    assert (fetched["title"], fetched["description"]) == (title, description)
